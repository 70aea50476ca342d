import type { CaseResult, HostResult, RunResults } from '../model/result.ts';
import { summarize } from '../model/result.ts';
import { combinePlannedCases } from '../model/coverage.ts';
import { HwqualError } from '../model/errors.ts';

/**
 * `hwqual merge`: the shards of one run (`run --shard i/n`) into one RunResults. Refuses shards of different plans,
 * lab files, waivers files or harness versions (by their sha256 / version), a shard given twice, a shard missing,
 * and a folder that was not a shard run. Artifact and transcript paths get the shard's prefix (see `prefixPaths`).
 */
export interface ShardInput {
  /** The shard's folder as given on the command line (for messages). */
  dir: string;
  /** Where its files will live under the merged folder, e.g. `shard-2`. */
  prefix: string;
  results: RunResults;
}

function refuse(message: string): never {
  throw new HwqualError('E_USAGE', `merge refused: ${message}`);
}

export function checkShards(shards: readonly ShardInput[]): void {
  if (!shards.length) refuse('no shard folders given');
  const first = shards[0]!;
  for (const s of shards) {
    if (!s.results.run.shard) refuse(`${s.dir} is not a shard run (no run.shard in its results.json)`);
    const same: Array<[string, unknown, unknown]> = [
      ['plan (planSha256)', s.results.run.planSha256, first.results.run.planSha256],
      ['lab file (labSha256)', s.results.run.labSha256, first.results.run.labSha256],
      ['waivers file (waiversSha256)', s.results.run.waiversSha256 ?? null, first.results.run.waiversSha256 ?? null],
      ['harness version', s.results.run.harnessVersion, first.results.run.harnessVersion],
      ['shard count', s.results.run.shard.total, first.results.run.shard!.total],
    ];
    for (const [what, a, b] of same)
      if (a !== b) refuse(`${s.dir} and ${first.dir} differ in ${what}: ${String(a)} vs ${String(b)}`);
  }
  const total = first.results.run.shard!.total;
  const byIndex = new Map<number, string>();
  for (const s of shards) {
    const index = s.results.run.shard!.index;
    const other = byIndex.get(index);
    if (other) refuse(`shard ${index}/${total} given twice (${other} and ${s.dir})`);
    byIndex.set(index, s.dir);
  }
  const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length)
    refuse(`missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${total}`).join(', ')}`);
}

/** Artifact and transcript paths, relative to the shard folder, made relative to the merged folder. */
export function prefixPaths(c: CaseResult, prefix: string): CaseResult {
  const join = (p: string) => `${prefix}/${p}`;
  return {
    ...c,
    artifacts: c.artifacts.map((a) => ({ ...a, path: join(a.path) })),
    ...(c.transcript ? { transcript: join(c.transcript) } : {}),
  };
}

export function mergeShards(shards: readonly ShardInput[]): RunResults {
  checkShards(shards);
  const ordered = [...shards].sort((a, b) => a.results.run.shard!.index - b.results.run.shard!.index);
  const first = ordered[0]!.results;
  const hosts = new Map<string, HostResult>();
  const cases: CaseResult[] = [];
  const seenCases = new Map<string, string>();
  for (const s of ordered) {
    for (const h of s.results.hosts)
      if (!hosts.has(h.name) || (!hosts.get(h.name)!.reachable && h.reachable)) hosts.set(h.name, h);
    for (const c of s.results.cases) {
      const other = seenCases.get(c.id);
      if (other) refuse(`case ${c.id} is in both ${other} and ${s.dir}: the shards overlap`);
      seenCases.set(c.id, s.dir);
      cases.push(prefixPaths(c, s.prefix));
    }
  }
  const runs = ordered.map((s) => s.results.run);
  const { shard: _shard, plannedCases: _plannedCases, ...meta } = first.run;
  const planned = runs.flatMap((r) => r.planned ?? []);
  // The shards' groups partition the plan (every shard is here, once): their planned cases add up to the plan's.
  const plannedCases = runs.every((r) => r.plannedCases)
    ? combinePlannedCases(runs.map((r) => r.plannedCases!))
    : undefined;
  const merged: RunResults = {
    schemaVersion: 1,
    run: {
      ...meta,
      startedAt: runs.map((r) => r.startedAt).sort()[0]!,
      endedAt: runs
        .map((r) => r.endedAt)
        .sort()
        .at(-1)!,
      interrupted: runs.some((r) => r.interrupted),
      ...(runs.every((r) => r.planned) ? { planned } : {}),
      ...(plannedCases && { plannedCases }),
      mergedFrom: ordered.map((s) => ({
        dir: s.prefix,
        shard: s.results.run.shard!,
        startedAt: s.results.run.startedAt,
        endedAt: s.results.run.endedAt,
      })),
    },
    hosts: [...hosts.values()],
    cases,
    summary: summarize(cases),
  };
  if (first.waivers) merged.waivers = first.waivers;
  return merged;
}
