// The migration bench's target rows (bench/migration-format.ts): a target is "met" only on what was measured, a cell
// whose certainty point is unknown is listed as not determinable — never counted as called in time, never 0.
import { describe, expect, it } from 'vitest';
import { formatMigrationBench, gridTargets } from '../../bench/migration-format.ts';
import { gridCell, gridMap } from '../support/grid-cells.ts';

const cell = gridCell;
const notConverging = { converges: false, totalMs: null, downtimeMs: 0, passes: 30 } as const;
const map = gridMap;
const certainCall = cell({
  dirtyMiBps: 200,
  outcome: 'not-converging',
  called: { rule: 'dirty-set', pass: 2, atMs: 11_200 },
  calledAtPass: 2,
  certainAtPass: 2,
  predicted: notConverging,
});
const slowAtDeadline = cell({
  dirtyMiBps: 25,
  outcome: 'not-converging',
  called: { rule: 'deadline', pass: 7, atMs: 40_000 },
  calledAtPass: 7,
  predicted: { ...notConverging, wouldNeedMs: 46_000 },
});
const row = (rows: string[], start: string) => rows.find((r) => r.startsWith(`| ${start}`))!;

describe('the migration bench targets', () => {
  it('every figure against its target: met only when measured', () => {
    const rows = gridTargets(map([cell({ totalMs: 10_900, predictionError: 0.083 }), certainCall, slowAtDeadline]));
    expect(row(rows, 'outcome as predicted')).toMatch(/3 of 3 \| met \|$/);
    expect(row(rows, 'total-time prediction error')).toMatch(/max 8 % over 1 cells.*misses.*: none \| met \|$/);
    const calls = row(rows, 'each certain non-convergence');
    expect(calls).toContain('1 of 1 certain ones at pass ≤ 3; not determinable (left out of the target): 25/32');
    expect(calls).toContain('25/32: pass 7, 40.0 s, deadline; after certain: not determinable');
    expect(calls).toMatch(/\| met \|$/);
    expect(row(rows, 'cells ended at the deadline')).toMatch(/1 at the deadline \(25\/32\), 0 of them certain \| met/);
  });

  it('a certain one called late or cut at the deadline, a miss, no converging cell: not met', () => {
    const late = { ...certainCall, called: { rule: 'deadline' as const, pass: 6, atMs: 40_000 }, calledAtPass: 6 };
    const miss = cell({ totalMs: 4500, predicted: notConverging });
    const rows = gridTargets(map([late, miss]));
    expect(row(rows, 'outcome as predicted')).toMatch(/1 of 2 \(not: 0\/32\) \| \*\*not met\*\* \|$/);
    expect(row(rows, 'total-time prediction error')).toMatch(/no cell; misses .*: 0\/32 \| \*\*not met\*\*/);
    expect(row(rows, 'each certain non-convergence')).toMatch(/0 of 1 certain ones.*\| \*\*not met\*\* \|$/);
    expect(row(rows, 'cells ended at the deadline')).toMatch(/1 of them certain \| \*\*not met\*\* \|$/);
    // Only undeterminable calls: nothing measured against the target, so it is not met.
    expect(row(gridTargets(map([slowAtDeadline])), 'each certain')).toMatch(/\*\*not met\*\* \|$/);
  });

  it('the stored report opens with when it ran, on what machine and from which commit', () => {
    const machine = {
      cpu: 'AMD EPYC',
      cores: 2,
      memGiB: 23.5,
      os: 'Debian 12',
      kernel: '6.1',
      node: 'v20',
      loadavgStart: '7.1 5.3 9.6',
      loadavgEnd: '9.1 10.2 12.2',
      tools: {},
    };
    const md = formatMigrationBench({
      machine,
      commit: 'abc123-dirty',
      date: '2026-12-06',
      startedAt: '2026-12-06T23:07:54.000Z',
      endedAt: '2026-12-06T23:35:49.000Z',
      wallSec: 1675,
      grid: map([certainCall]),
    });
    expect(md).toContain('Run: 2026-12-06T23:07:54.000Z – 2026-12-06T23:35:49.000Z, commit abc123-dirty.');
    expect(md).toContain('load average 7.1 5.3 9.6 at start, 9.1 10.2 12.2 at end');
    expect(md).toContain('| each certain non-convergence called within 2 full passes');
  });
});
