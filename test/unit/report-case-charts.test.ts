import { describe, expect, it } from 'vitest';
import { buildHtml } from '../../src/report/html.ts';
import { esc } from '../../src/report/html-escape.ts';
import { resultsProblems } from '../../src/report/results-schema.ts';
import { applySignoff } from '../../src/report/signoff.ts';
import { type HopReport, MiB } from '../../src/migration/index.ts';
import { passCharts } from '../../suites/live-migration/chart.ts';
import { kase, results, XSS } from './report-fixtures.ts';

// A hop's passes as hwqual records them (values typed by hand): 4 dirty syncs, the last two throttled.
const hop = {
  from: 'node-a',
  to: 'node-b',
  strategy: 'auto-converge',
  passes: [
    { pass: 1, t: 10, remaining: 120 * MiB, transferred: 0, dirtyRate: 0, throughput: 0 },
    { pass: 2, t: 6200, remaining: 24 * MiB, transferred: 100 * MiB, dirtyRate: 4 * MiB, throughput: 16 * MiB },
    {
      pass: 3,
      t: 7700,
      remaining: 24 * MiB,
      transferred: 124 * MiB,
      dirtyRate: 16 * MiB,
      throughput: 16 * MiB,
      throttlePct: 95,
    },
    {
      pass: 4,
      t: 9200,
      remaining: 12.5 * MiB,
      transferred: 148 * MiB,
      dirtyRate: 8.25 * MiB,
      throughput: 15.5 * MiB,
      throttlePct: 95,
    },
  ],
} as unknown as HopReport;

describe('case charts in the HTML report', () => {
  it('a migration case carries its pass series as data, and the report draws them inline as SVG bars', () => {
    const charts = passCharts(hop);
    expect(charts.map((c) => [c.title, c.unit])).toEqual([
      ['node-a → node-b (auto-converge): remaining per pass', 'MiB'],
      ['node-a → node-b (auto-converge): dirty rate per pass', 'MiB/s'],
      ['node-a → node-b (auto-converge): throughput per pass', 'MiB/s'],
    ]);
    expect(charts[0].points).toEqual([
      { label: 'pass 1 @0.0s', value: 120 },
      { label: 'pass 2 @6.2s', value: 24 },
      { label: 'pass 3 @7.7s throttle 95%', value: 24 },
      { label: 'pass 4 @9.2s throttle 95%', value: 12.5 },
    ]);
    const mig = kase({
      status: 'passed',
      suite: 'live-migration',
      caseId: 'migrate',
      host: 'node-a',
      params: { from: 'node-a', to: 'node-b', strategy: 'auto-converge' },
      charts,
    });
    const r = applySignoff(results([kase({ status: 'passed' }), mig]));
    expect(resultsProblems('results.json', r)).toEqual([]);
    const html = buildHtml(r);
    const section = html.slice(
      html.indexOf('<section id="case-charts">'),
      html.indexOf('</section>', html.indexOf('<section id="case-charts">')),
    );
    expect(section).toContain(`data-case="${esc(mig.id)}"`);
    expect(section.match(/<svg class="chart"/g)).toHaveLength(3);
    // Remaining per pass: 4 bars scaled to the largest (120 MiB → 360 px, 24 → 72, 12.5 → 38).
    const remaining = section.slice(0, section.indexOf('</svg>'));
    expect(remaining.match(/<rect /g)).toHaveLength(4);
    expect(remaining).toContain('width="360"');
    expect(remaining).toContain('width="72"');
    expect(remaining).toContain('width="38"');
    expect(remaining).toContain('>pass 3 @7.7s throttle 95%</text>');
    expect(remaining).toContain('>12.5 MiB</text>');
    // Between the run's charts and the provenance.
    expect(html.indexOf('id="charts"')).toBeLessThan(html.indexOf('id="case-charts"'));
    expect(html.indexOf('id="case-charts"')).toBeLessThan(html.indexOf('id="provenance"'));
  });

  it('no case with charts: no section; chart text from hosts is escaped; the schema refuses a malformed chart', () => {
    expect(buildHtml(applySignoff(results([kase({ status: 'passed' })])))).not.toContain('case-charts');
    const hostile = kase({ status: 'failed', charts: [{ title: XSS, unit: XSS, points: [{ label: XSS, value: 1 }] }] });
    const html = buildHtml(applySignoff(results([hostile])));
    expect(html).not.toMatch(/<script|<img|<b>bold/i);
    expect(html).toContain(esc(XSS.slice(0, 40)));
    const bad = results([
      kase({ status: 'passed', charts: [{ title: 't', unit: 'u', points: [{ label: 'x', value: 'big' }] }] as never }),
    ]);
    expect(resultsProblems('results.json', bad)).toEqual([
      'results.json: /cases/0/charts/0/points/0/value must be number',
    ]);
  });
});
