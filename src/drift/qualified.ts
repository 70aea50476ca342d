import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CaseResult, HostResult, RunMeta, RunResults } from '../model/result.ts';
import { readRunResultsText } from '../report/read-results.ts';
import { parseResults } from '../report/results-schema.ts';

/** What drift keeps of a qualified case: enough to name it, and to tell which hosts it involves. */
export type CaseRef = Pick<CaseResult, 'id' | 'suite' | 'caseId' | 'title' | 'host' | 'params'>;

/**
 * A qualified run, indexed once for the drift cases of every host (thousands of hosts read the same run). Only what
 * drift reads is kept: the run's meta, its hosts, and each case's name (not its assertions, artifacts, metrics).
 */
export interface QualifiedRun {
  file: string;
  sha256: string;
  run: RunMeta;
  /** The run's hosts, in its order, and by name. */
  hostList: readonly HostResult[];
  hosts: ReadonlyMap<string, HostResult>;
  /** The cases each host ran. */
  casesOn: ReadonlyMap<string, readonly CaseRef[]>;
  /** The cases run on other hosts that involve the host: migrations to it, the baseline of a pool it is in. */
  involving: ReadonlyMap<string, readonly CaseRef[]>;
  /** Every case of the run was a drift case: a drift run, not a qualification. */
  onlyDrift: boolean;
}

const cache = new Map<string, { stamp: string; run: QualifiedRun }>();

/**
 * A run folder (or results.json), validated against the results schema (E_CONFIG naming the file and each error),
 * read once per process and file version: the drift command reads it to check its input, each drift case reads it
 * from here again.
 */
export function loadQualified(dirOrFile: string): QualifiedRun {
  const key = resolve(dirOrFile.endsWith('.json') ? dirOrFile : join(dirOrFile, 'results.json'));
  const stamp = fileStamp(key);
  const hit = cache.get(key);
  if (hit && hit.stamp === stamp) return hit.run;
  const { file, text } = readRunResultsText(key);
  const run = indexRun(file, parseResults(file, text), createHash('sha256').update(text).digest('hex'));
  cache.set(key, { stamp, run });
  return run;
}

export function indexRun(file: string, results: RunResults, sha256 = ''): QualifiedRun {
  const hosts = new Map(results.hosts.map((h) => [h.name, h]));
  const casesOn = new Map<string, CaseRef[]>();
  const involving = new Map<string, CaseRef[]>();
  const push = (m: Map<string, CaseRef[]>, k: string, c: CaseRef) => {
    const list = m.get(k);
    if (list) list.push(c);
    else m.set(k, [c]);
  };
  for (const { id, suite, caseId, title, host, params } of results.cases) {
    const c: CaseRef = { id, suite, caseId, title, host, params };
    push(casesOn, c.host, c);
    for (const other of involvedHosts(c, hosts)) push(involving, other, c);
  }
  const onlyDrift = results.cases.length > 0 && results.cases.every((c) => c.suite === 'drift');
  return { file, sha256, run: results.run, hostList: results.hosts, hosts, casesOn, involving, onlyDrift };
}

/**
 * Hosts other than its own a case involves: any parameter naming a host of the run (a migration's `to`), and the
 * members of the pool a `pool-baseline` case computes (it runs on the pool's first host) — from the pool fact the
 * case recorded (`cpuPool.<name>.hosts`), else from its title, which lists them: "… across pool P (a, b, c)".
 */
export function involvedHosts(c: CaseRef, hosts: ReadonlyMap<string, HostResult>): string[] {
  const out = new Set<string>();
  for (const v of Object.values(c.params)) if (v !== c.host && hosts.has(v)) out.add(v);
  if (c.caseId === 'pool-baseline' && c.params.pool !== undefined) {
    const fact = hosts.get(c.host)?.facts.extra?.[`cpuPool.${c.params.pool}`] as { hosts?: unknown } | undefined;
    const members = Array.isArray(fact?.hosts)
      ? fact.hosts.map(String)
      : (/\(([^()]*)\)\s*$/.exec(c.title)?.[1]?.split(/,\s*/) ?? []);
    for (const m of members) if (m !== c.host && hosts.has(m)) out.add(m);
  }
  return [...out];
}

function fileStamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return 'missing';
  }
}
