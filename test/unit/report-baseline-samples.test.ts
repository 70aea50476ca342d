// The baseline on distributions (issue 21): repeated figures with ≥ 5 samples a side are compared by the exact
// two-sided Mann–Whitney U test and their medians; fewer samples fall back to single values, labelled so. Fixed sets:
// whether two live runs stay unflagged depends on noise, so it is tested here, not on a lab.
import { describe, expect, it } from 'vitest';
import type { CaseResult, Sample } from '../../src/model/result.ts';
import { diffBaseline } from '../../src/report/baseline.ts';
import { buildHtml } from '../../src/report/html.ts';
import { buildMarkdown } from '../../src/report/markdown.ts';
import { resultsProblems } from '../../src/report/results-schema.ts';
import { kase, results } from './report-fixtures.ts';

const samples = (values: number[], from = 'node-a', to = 'node-b'): Sample[] =>
  values.map((value, i) => ({ value, from, to, run: i + 1 }));
const migrate = (total: number[], metrics: Record<string, number> = {}): CaseResult =>
  kase({
    status: 'passed',
    suite: 'live-migration',
    caseId: 'migrate',
    host: 'node-a',
    samples: { total_ms: samples(total) },
    metrics: { total_ms: total[0]!, total_ms_p50: [...total].sort((a, b) => a - b)[2]!, ...metrics },
  });
const diff = (before: CaseResult, after: CaseResult, threshold?: number) =>
  diffBaseline(results([after]), results([before]), { file: 'base.json', threshold });

describe('diffBaseline on distributions', () => {
  it('5 vs 5 fully separated and medians 4× apart: flagged (p = 2/252 = 0.0079 < 0.01)', () => {
    const d = diff(migrate([1000, 1100, 1200, 1050, 1150]), migrate([4000, 4100, 4300, 4200, 4400]));
    expect(d.metrics).toEqual([
      {
        caseId: 'live-migration/migrate@node-a',
        metric: 'total_ms (node-a→node-b)',
        before: 1100,
        after: 4200,
        change: (4200 - 1100) / 1100,
        method: 'mann-whitney',
        p: 2 / 252,
        n: [5, 5],
      },
    ]);
  });

  it('U = 1 (one pair out of order): p = 4/252 = 0.016, not flagged although the medians moved 30 %', () => {
    const d = diff(migrate([100, 101, 102, 103, 130]), migrate([129, 131, 132, 133, 134]));
    expect(d.metrics).toEqual([]);
  });

  it('separated but the medians within the threshold: not flagged', () => {
    const d = diff(migrate([1000, 1001, 1002, 1003, 1004]), migrate([1010, 1011, 1012, 1013, 1014]));
    expect(d.metrics).toEqual([]);
  });

  it('ties across the two runs are handled (mid-ranks); identical runs are never flagged', () => {
    expect(diff(migrate([5, 5, 5, 5, 5]), migrate([5, 5, 5, 5, 5])).metrics).toEqual([]);
    const d = diff(migrate([10, 10, 10, 20, 20]), migrate([20, 40, 40, 40, 40]));
    expect(d.metrics).toEqual([]); // p = 0.024 with the tie at 20: not below 0.01
  });

  it('fewer than 5 samples a side: the single-value rule, each row labelled "single values"', () => {
    const d = diff(migrate([1000, 1100, 1200, 1050]), migrate([4000, 4100, 4300, 4200]));
    expect(d.metrics.map((m) => [m.metric, m.method])).toEqual([
      ['total_ms', 'single values'],
      ['total_ms_p50', 'single values'],
    ]);
  });

  it('a tested figure’s single values are not compared one against one; other metrics still are', () => {
    const d = diff(
      migrate([1000, 1100, 1200, 1050, 1150], { hop1_total_ms: 1, predicted_total_ms: 10 }),
      migrate([1010, 1100, 1190, 1060, 1140], { hop1_total_ms: 9, predicted_total_ms: 20 }),
    );
    expect(d.metrics.map((m) => m.metric)).toEqual(['predicted_total_ms']);
  });

  it('the reports name the rule of each row; the diff passes the results schema', () => {
    const r = results([migrate([4000, 4100, 4300, 4200, 4400])]);
    r.baseline = diff(migrate([1000, 1100, 1200, 1050, 1150]), r.cases[0]!);
    expect(resultsProblems('results.json', r)).toEqual([]);
    expect(buildHtml(r)).toContain('medians; Mann–Whitney exact p = 0.0079 (n 5 vs 5)');
    expect(buildMarkdown(r)).toContain(
      'total\\_ms (node-a→node-b): 1100 → 4200 (+281.8 %; medians; Mann–Whitney exact p = 0.0079 (n 5 vs 5))',
    );
  });
});
