import type { CaseResult, HostResult, RunRecord } from '../model/result.ts';
import type { CaseStatus } from '../model/status.ts';
import { caseEffect } from './verdict.ts';

/** hosts × suites, each cell with its status counts and the worst effect on the verdict (for its colour). */
export type CellTone = 'pass' | 'warn' | 'fail' | 'none';

export interface MatrixCell {
  counts: Partial<Record<CaseStatus, number>>;
  total: number;
  tone: CellTone;
}

export interface Matrix {
  suites: string[];
  rows: Array<{ host: string; hostInfo?: HostResult; cells: Array<MatrixCell | undefined> }>;
}

/** A cell's counts and what its tone needs, added to one case at a time (or cell by cell, for a group's row). */
export class CellTally {
  readonly counts: Partial<Record<CaseStatus, number>> = {};
  total = 0;
  /** Cases with each tone, and hosts (for a group's cell: how many hosts' cells were failing, warning…). */
  fail = 0;
  warn = 0;
  ran = 0;

  add(c: Pick<CaseResult, 'status' | 'severity'>): void {
    this.counts[c.status] = (this.counts[c.status] ?? 0) + 1;
    this.total++;
    const effect = caseEffect(c.status, c.severity);
    if (effect === 'not-qualified') this.fail++;
    else if (effect === 'conditional' || c.status === 'flaky') this.warn++;
    if (c.status !== 'skipped') this.ran++;
  }

  /** Add a whole cell (a group's row sums its hosts' cells). */
  merge(other: CellTally): void {
    for (const [k, v] of Object.entries(other.counts) as Array<[CaseStatus, number]>)
      this.counts[k] = (this.counts[k] ?? 0) + v;
    this.total += other.total;
    this.fail += other.fail;
    this.warn += other.warn;
    this.ran += other.ran;
  }

  get tone(): CellTone {
    if (!this.total || !this.ran) return 'none';
    if (this.fail) return 'fail';
    if (this.warn) return 'warn';
    return 'pass';
  }

  cell(): MatrixCell {
    return { counts: { ...this.counts }, total: this.total, tone: this.tone };
  }
}

export function cellTone(cases: readonly CaseResult[]): CellTone {
  const t = new CellTally();
  for (const c of cases) t.add(c);
  return t.tone;
}

/** Host × suite tallies, built one case at a time. */
export class MatrixTally {
  readonly suites: string[] = [];
  readonly cells = new Map<string, Map<string, CellTally>>();

  add(c: CaseResult): void {
    let row = this.cells.get(c.host);
    if (!row) this.cells.set(c.host, (row = new Map()));
    let cell = row.get(c.suite);
    if (!cell) {
      if (!this.suites.includes(c.suite)) this.suites.push(c.suite);
      row.set(c.suite, (cell = new CellTally()));
    }
    cell.add(c);
  }

  /** The hosts: the run's, then any only the cases name. */
  hostNames(hosts: readonly HostResult[]): string[] {
    const names = hosts.map((h) => h.name);
    const known = new Set(names);
    for (const h of this.cells.keys()) if (!known.has(h)) names.push(h);
    return names;
  }
}

export function buildMatrix(results: Pick<RunRecord, 'cases' | 'hosts'>): Matrix {
  const tally = new MatrixTally();
  for (const c of results.cases) tally.add(c);
  const hostInfo = new Map(results.hosts.map((h) => [h.name, h]));
  return {
    suites: tally.suites,
    rows: tally.hostNames(results.hosts).map((host) => ({
      host,
      hostInfo: hostInfo.get(host),
      cells: tally.suites.map((suite) => tally.cells.get(host)?.get(suite)?.cell()),
    })),
  };
}
