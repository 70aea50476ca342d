import { describe, expect, it } from 'vitest';
import { diffBaseline, relativeChange } from '../../src/report/baseline.ts';
import { applySignoff } from '../../src/report/signoff.ts';
import { kase, results } from './report-fixtures.ts';

describe('diffBaseline', () => {
  const before = results([
    kase({ status: 'passed', caseId: 'a' }),
    kase({ status: 'failed', caseId: 'b' }),
    kase({ status: 'failed', caseId: 'c' }),
    kase({ status: 'passed', caseId: 'gone' }),
    kase({ status: 'passed', caseId: 'migrate', metrics: { downtimeMs: 200, throughputMBs: 1000, zero: 0, same: 5 } }),
  ]);
  const after = results([
    kase({ status: 'failed', caseId: 'a' }),
    kase({ status: 'passed', caseId: 'b' }),
    kase({ status: 'waived', caseId: 'c' }),
    kase({ status: 'error', caseId: 'new' }),
    kase({ status: 'passed', caseId: 'migrate', metrics: { downtimeMs: 260, throughputMBs: 950, zero: 3, same: 5 } }),
  ]);

  it('finds new failures, fixed, still failing (waived counts as failing), added, removed', () => {
    const d = diffBaseline(after, before, { file: 'reports/run-0/results.json' });
    expect(d).toMatchObject({
      newFailures: ['host-os/a@node-1', 'host-os/new@node-1'],
      fixed: ['host-os/b@node-1'],
      stillFailing: ['host-os/c@node-1'],
      added: ['host-os/new@node-1'],
      removed: ['host-os/gone@node-1'],
      threshold: 0.1,
      baselineStartedAt: before.run.startedAt,
    });
  });

  it('reports figures that moved beyond the threshold, both ways', () => {
    const d = diffBaseline(after, before, { file: 'x' });
    expect(d.metrics).toEqual([
      { caseId: 'host-os/migrate@node-1', metric: 'downtimeMs', before: 200, after: 260, change: 0.3 },
      { caseId: 'host-os/migrate@node-1', metric: 'zero', before: 0, after: 3, change: 1 },
    ]);
    expect(diffBaseline(after, before, { file: 'x', threshold: 0.04 }).metrics.map((m) => m.metric)).toEqual([
      'downtimeMs',
      'throughputMBs',
      'zero',
    ]);
  });

  it('relativeChange handles zero', () => {
    expect(relativeChange(0, 0)).toBe(0);
    expect(relativeChange(0, -2)).toBe(-1);
    expect(relativeChange(-10, -5)).toBe(0.5);
  });

  it('goes into results through applySignoff, with the baseline verdict', () => {
    const base = applySignoff(before);
    const s = applySignoff(after, { baseline: { file: 'b.json', results: base } });
    expect(s.baseline?.baselineVerdict).toBe('not-qualified');
    expect(s.baseline?.fixed).toEqual(['host-os/b@node-1']);
    expect(applySignoff(s).baseline).toEqual(s.baseline); // a rebuild without --baseline keeps it
  });
});
