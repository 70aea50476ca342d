// buildMatrix groups cases by host and suite in one pass (runs with thousands of hosts): same cells as counting
// each cell's cases directly.
import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../../src/model/result.ts';
import { buildMatrix, cellTone } from '../../src/report/matrix.ts';

const STATUSES = ['passed', 'failed', 'error', 'skipped', 'passed', 'flaky'] as const;

function cases(hosts: number): CaseResult[] {
  const out: CaseResult[] = [];
  for (let h = 0; h < hosts; h++) {
    for (const suite of ['host-checks', 'host-os']) {
      if (suite === 'host-os' && h % 3 === 0) continue; // some cells stay empty
      for (let i = 0; i < 5; i++) {
        const status = STATUSES[(h + i) % STATUSES.length]!;
        out.push({
          id: `${suite}/c${i}@h${h}`,
          suite,
          caseId: `c${i}`,
          title: `c${i}`,
          host: `h${h}`,
          params: {},
          tags: [],
          severity: i === 0 ? 'blocker' : 'minor',
          status,
          durationMs: 1,
          attempts: 1,
          assertions: [],
          artifacts: [],
          metrics: {},
        } as CaseResult);
      }
    }
  }
  return out;
}

describe('buildMatrix at scale', () => {
  it('gives every host × suite cell the counts and tone of exactly its cases', () => {
    const all = cases(400);
    const m = buildMatrix({ cases: all, hosts: [] });
    expect(m.suites).toEqual(['host-checks', 'host-os']);
    expect(m.rows).toHaveLength(400);
    for (const row of m.rows) {
      for (const [j, suite] of m.suites.entries()) {
        const mine = all.filter((c) => c.host === row.host && c.suite === suite);
        const cell = row.cells[j];
        if (!mine.length) {
          expect(cell).toBeUndefined();
          continue;
        }
        const counts: Record<string, number> = {};
        for (const c of mine) counts[c.status] = (counts[c.status] ?? 0) + 1;
        expect(cell).toEqual({ counts, total: mine.length, tone: cellTone(mine) });
      }
    }
  });
});
