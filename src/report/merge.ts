import type { CaseResult, Cases, HostResult, RunRecord, RunResults } from '../model/result.ts';
import { summarize } from '../model/result.ts';
import { combinePlannedCases } from '../model/coverage.ts';
import { HwqualError } from '../model/errors.ts';

/**
 * `hwqual merge`: the shards of one run (`run --shard i/n`) into one RunResults. Refuses shards of different plans,
 * lab files, waivers files or harness versions (by their sha256 / version), a shard given twice, a shard missing,
 * and a folder that was not a shard run. Artifact and transcript paths get the shard's prefix (see `prefixPaths`).
 */
export interface ShardInput<R extends RunRecord = RunRecord> {
  /** The shard's folder as given on the command line (for messages). */
  dir: string;
  /** Where its files will live under the merged folder, e.g. `shard-2`. */
  prefix: string;
  results: R;
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

/**
 * The shards as one run. Cases in arrays (small runs) come back in an array; cases read from files (large runs)
 * stay there: the merged cases are the shards' cases read in shard order, one at a time, their paths prefixed.
 */
export function mergeShards(shards: ReadonlyArray<ShardInput<RunResults>>): RunResults;
export function mergeShards(shards: readonly ShardInput[]): RunRecord;
export function mergeShards(shards: readonly ShardInput[]): RunRecord {
  checkShards(shards);
  const ordered = [...shards].sort((a, b) => a.results.run.shard!.index - b.results.run.shard!.index);
  const first = ordered[0]!.results;
  const hosts = new Map<string, HostResult>();
  for (const s of ordered)
    for (const h of s.results.hosts)
      if (!hosts.has(h.name) || (!hosts.get(h.name)!.reachable && h.reachable)) hosts.set(h.name, h);
  refuseOverlaps(ordered);
  const inArrays = ordered.every((s) => Array.isArray(s.results.cases));
  const concatenated: Cases = {
    length: ordered.reduce((n, s) => n + s.results.cases.length, 0),
    *[Symbol.iterator]() {
      for (const s of ordered) for (const c of s.results.cases) yield prefixPaths(c, s.prefix);
    },
  };
  const cases = inArrays ? [...concatenated] : concatenated;
  const runs = ordered.map((s) => s.results.run);
  const { shard: _shard, plannedCases: _plannedCases, ...meta } = first.run;
  const planned = runs.flatMap((r) => r.planned ?? []);
  // The shards' groups partition the plan (every shard is here, once): their planned cases add up to the plan's.
  const plannedCases = runs.every((r) => r.plannedCases)
    ? combinePlannedCases(runs.map((r) => r.plannedCases!))
    : undefined;
  const merged: RunRecord = {
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
    summary: mergedSummary(ordered),
  };
  if (first.waivers) merged.waivers = first.waivers;
  return merged;
}

function mergedSummary(shards: readonly ShardInput[]) {
  const total = summarize([]);
  for (const s of shards)
    for (const [k, v] of Object.entries(s.results.summary) as Array<[keyof typeof total, number]>) total[k] += v;
  return total;
}

/**
 * A case in two shards means the shards overlap. Checked without keeping every id: a 52-bit hash of each id is
 * kept (8 bytes a case) and sorted; only ids whose hash repeats are then compared as text.
 */
function refuseOverlaps(shards: readonly ShardInput[]): void {
  const n = shards.reduce((k, s) => k + s.results.cases.length, 0);
  const hashes = new Float64Array(n);
  let i = 0;
  for (const s of shards) for (const c of s.results.cases) hashes[i++] = idHash(c.id);
  const sorted = hashes.subarray(0, i).sort();
  const repeated = new Set<number>();
  for (let j = 1; j < sorted.length; j++) if (sorted[j] === sorted[j - 1]) repeated.add(sorted[j]!);
  if (!repeated.size) return;
  const seen = new Map<string, string>();
  for (const s of shards)
    for (const c of s.results.cases) {
      if (!repeated.has(idHash(c.id))) continue;
      const other = seen.get(c.id);
      if (other !== undefined) refuse(`case ${c.id} is in both ${other} and ${s.dir}: the shards overlap`);
      seen.set(c.id, s.dir);
    }
}

/** Two 32-bit FNV-1a lanes folded into 52 bits (a double holds them exactly). */
function idHash(id: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ id.length;
  for (let k = 0; k < id.length; k++) {
    const ch = id.charCodeAt(k);
    a = Math.imul(a ^ ch, 0x01000193);
    b = Math.imul(b ^ ch, 0x5bd1e995);
  }
  return (a >>> 0) * 0x100000 + ((b >>> 0) & 0xfffff);
}
