import type { CaseResult, HostResult, RunResults } from '../model/result.ts';
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

export function cellTone(cases: readonly CaseResult[]): CellTone {
  if (!cases.length || cases.every((c) => c.status === 'skipped')) return 'none';
  const effects = cases.map((c) => caseEffect(c.status, c.severity));
  if (effects.includes('not-qualified')) return 'fail';
  if (effects.includes('conditional') || cases.some((c) => c.status === 'flaky')) return 'warn';
  return 'pass';
}

export function buildMatrix(results: Pick<RunResults, 'cases' | 'hosts'>): Matrix {
  const suites = [...new Set(results.cases.map((c) => c.suite))];
  const hostNames = [...new Set([...results.hosts.map((h) => h.name), ...results.cases.map((c) => c.host)])];
  const hostInfo = new Map(results.hosts.map((h) => [h.name, h]));
  // One pass over the cases (a run may have tens of thousands), not one filter per cell.
  const byCell = new Map<string, CaseResult[]>();
  for (const c of results.cases) {
    const key = `${c.host}\0${c.suite}`;
    const list = byCell.get(key);
    if (list) list.push(c);
    else byCell.set(key, [c]);
  }
  const rows = hostNames.map((host) => ({
    host,
    hostInfo: hostInfo.get(host),
    cells: suites.map((suite) => {
      const cases = byCell.get(`${host}\0${suite}`) ?? [];
      if (!cases.length) return undefined;
      const counts: MatrixCell['counts'] = {};
      for (const c of cases) counts[c.status] = (counts[c.status] ?? 0) + 1;
      return { counts, total: cases.length, tone: cellTone(cases) };
    }),
  }));
  return { suites, rows };
}

/** Cases that need a reviewer's eye first: unwaived failed/error/cancelled, blockers before majors before minors. */
export function failuresFirst(cases: readonly CaseResult[]): CaseResult[] {
  const rank = { blocker: 0, major: 1, minor: 2 } as const;
  return cases
    .filter((c) => c.status === 'failed' || c.status === 'error' || c.status === 'cancelled')
    .sort((a, b) => rank[a.severity] - rank[b.severity] || a.id.localeCompare(b.id));
}
