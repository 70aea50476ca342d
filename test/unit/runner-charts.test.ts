import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PlanConfig } from '../../src/config/types.ts';
import { normalizeLab } from '../../src/config/lab.ts';
import { prepareRun } from '../../src/runner/prepare.ts';
import { resultsProblems } from '../../src/report/results-schema.ts';
import { writeReports } from '../../src/report/write.ts';
import { LocalTransport } from '../../src/transport/local.ts';
import { executeToTemp } from '../support/execute-run.ts';

describe('case charts through the runner', () => {
  it('ctx.chart data lands in the case result, passes the results schema, is drawn inline in report.html', async () => {
    const lab = normalizeLab(
      { hosts: [{ name: 'local', address: 'local' }] },
      '/tmp/lab.yaml',
      'lab.yaml',
      'a'.repeat(64),
    );
    const plan: PlanConfig = {
      file: '/tmp/plan.yaml',
      sha256: 'b'.repeat(64),
      name: 'charts',
      suites: ['charts'],
      hosts: {},
      severity: {},
      require: {},
      concurrency: 1,
      timeouts: { case: 30 },
      retries: 0,
      retryFailed: false,
      matrix: {},
      settings: {},
    };
    const prepared = await prepareRun({
      lab,
      plan,
      suitesDir: join(import.meta.dirname, '../fixtures/suites'),
      transportFactory: (h) => new LocalTransport(h.name),
      gatherFacts: (async () => ({ arch: 'x86_64' })) as never,
    });
    const { results, out } = await executeToTemp(lab, plan, prepared, 'hwqual-charts-');
    const c = results.cases[0]!;
    expect(c.status).toBe('passed');
    expect(c.charts).toEqual([
      {
        title: 'remaining per pass <b>',
        unit: 'MiB',
        points: [
          { label: 'pass 1', value: 120 },
          { label: 'pass 2', value: 24 },
        ],
      },
    ]);
    expect(resultsProblems('results', JSON.parse(JSON.stringify(results)))).toEqual([]);
    await writeReports(out, results);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('id="case-charts"');
    expect(html).toContain('remaining per pass &lt;b&gt;');
    expect(html).not.toContain('remaining per pass <b>');
    expect(html.match(/<svg/g)?.length).toBeGreaterThanOrEqual(1);
  });
});
