// Repeated figures in results.json (CaseResult.samples) and the strip plot that draws them (issue 21): the schema
// accepts them and refuses malformed ones, merge carries them, reporters that do not know them ignore them, and the
// strip plot escapes every label.
import { describe, expect, it } from 'vitest';
import type { CaseChart, CaseResult, RunResults } from '../../src/model/result.ts';
import { buildHtml } from '../../src/report/html.ts';
import { buildJunit } from '../../src/report/junit.ts';
import { mergeShards } from '../../src/report/merge.ts';
import { resultsProblems } from '../../src/report/results-schema.ts';
import { stripPlot } from '../../src/report/svg-strip.ts';
import { hostileResults, kase, results, XSS } from './report-fixtures.ts';

const samples: CaseResult['samples'] = {
  blackout_ms: [
    { value: 212, from: 'node-a', to: 'node-b', run: 1 },
    { value: 230, from: 'node-a', to: 'node-b', run: 2 },
  ],
  total_ms: [{ value: 4100, from: 'node-a', to: 'node-b', run: 1 }],
};

describe('CaseResult.samples', () => {
  it('the results schema accepts samples and strip charts; refuses a sample without its run or with extra keys', () => {
    const strip: CaseChart = {
      kind: 'strip',
      title: 'blackout_ms',
      unit: 'ms',
      points: [{ label: 'node-a→node-b', value: 212 }],
      marks: [
        { label: 'gate p99 ≤ 300', value: 300 },
        { label: 'p50', value: 212, series: 'node-a→node-b' },
      ],
    };
    expect(resultsProblems('results.json', results([kase({ status: 'passed', samples, charts: [strip] })]))).toEqual(
      [],
    );
    const bad = results([
      kase({
        status: 'passed',
        samples: {
          x: [{ value: 1, from: 'a', to: 'b' } as never, { value: 1, from: 'a', to: 'b', run: 1, extra: 1 } as never],
        },
      }),
    ]);
    expect(resultsProblems('results.json', bad).join('\n')).toMatch(/samples\/x\/0.*run/);
    expect(resultsProblems('results.json', bad).join('\n')).toMatch(/samples\/x\/1.*extra/);
  });

  it('merge carries samples through (cases keep every field)', () => {
    const shard = (index: number): { dir: string; prefix: string; results: RunResults } => {
      const r = results([kase({ status: 'passed', caseId: `m${index}`, samples })]);
      r.run.shard = { index, total: 2 };
      return { dir: `s${index}`, prefix: `shard-${index}`, results: r };
    };
    const merged = mergeShards([shard(1), shard(2)]);
    expect(merged.cases.map((c) => c.samples)).toEqual([samples, samples]);
    expect(resultsProblems('results.json', merged)).toEqual([]);
  });

  it('JUnit ignores samples (summaries reach it as metrics)', () => {
    const xml = buildJunit(results([kase({ status: 'passed', samples, metrics: { blackout_ms_p99: 230 } })]));
    expect(xml).toContain('blackout_ms_p99');
    expect(xml).not.toContain('4100');
  });
});

describe('the strip plot', () => {
  it('one dot per sample, a row per direction, the gate as a dashed line, p50/p99 ticks', () => {
    const svg = stripPlot({
      kind: 'strip',
      title: 'blackout_ms',
      unit: 'ms',
      points: [
        { label: 'node-a→node-b', value: 100 },
        { label: 'node-a→node-b', value: 200 },
        { label: 'node-b→node-a', value: 150 },
      ],
      marks: [
        { label: 'gate max ≤ 400', value: 400 },
        { label: 'p50', value: 100, series: 'node-a→node-b' },
      ],
    });
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(1);
    expect(svg).toContain('gate max ≤ 400');
    expect(svg).toContain('node-b→node-a');
    expect(svg).not.toMatch(/<script/i);
  });

  it('escapes hostile labels, titles, units and marks, in report.html too (hostileResults)', () => {
    const r = hostileResults();
    const chart: CaseChart = {
      kind: 'strip',
      title: XSS,
      unit: XSS,
      points: [{ label: XSS, value: 3 }],
      marks: [
        { label: XSS, value: 4 },
        { label: XSS, value: 3, series: XSS },
      ],
    };
    r.cases[0]!.charts = [chart];
    r.cases[0]!.samples = { [XSS]: [{ value: 3, from: XSS, to: XSS, run: 1 }] };
    expect(resultsProblems('results.json', r)).toEqual([]);
    for (const text of [stripPlot(chart), buildHtml(r)]) {
      expect(text).not.toContain('<script>window');
      expect(text).not.toContain('<img src=x');
      expect(text).not.toContain('<b>bold');
    }
    expect(buildHtml(r)).toContain('class="chart strip"');
  });
});
