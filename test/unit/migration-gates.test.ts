// Migration figures as release gates (issue 21): nearest-rank percentiles, the gate keys of the plan (bad input →
// exit 2 naming file and field), and the gates' verdicts and messages.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { distribution, isMaximum, nearestRank } from '../../src/model/percentiles.ts';
import type { Sample } from '../../src/model/result.ts';
import { gatesFor, judgeGates } from '../../suites/live-migration/gates.ts';
import { runSamples, stripCharts, summaryMetrics } from '../../suites/live-migration/repeat-figures.ts';
import { hwqualInProcess } from '../support/main.ts';
import { labOf, planProblems } from '../support/plan-check.ts';
import { tempDir } from '../support/temp-dir.ts';

afterEach(() => {
  process.exitCode = undefined;
});

describe('nearest-rank percentiles', () => {
  it('n = 1: every statistic is the one value', () => {
    expect(distribution([7])).toEqual({ n: 1, min: 7, p50: 7, p90: 7, p99: 7, max: 7 });
  });
  it('n = 2: p50 is the lower value (rank ⌈1⌉), p90 and p99 the upper', () => {
    expect(distribution([20, 10])).toEqual({ n: 2, min: 10, p50: 10, p90: 20, p99: 20, max: 20 });
  });
  it('n = 5: p50 = 3rd, p90 = p99 = 5th (the maximum)', () => {
    expect(distribution([298, 212, 412, 230, 251])).toEqual({ n: 5, min: 212, p50: 251, p90: 412, p99: 412, max: 412 });
    expect(isMaximum('p99', 5)).toBe(true);
    expect(isMaximum('p50', 5)).toBe(false);
  });
  it('n = 100: p50 = 50th, p90 = 90th, p99 = 99th value — not the maximum', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted on purpose
    expect(distribution(values)).toEqual({ n: 100, min: 1, p50: 50, p90: 90, p99: 99, max: 100 });
    expect(isMaximum('p99', 100)).toBe(false);
    expect(isMaximum('p99', 99)).toBe(true);
  });
  it('ties: the statistic is a measured value, never interpolated', () => {
    expect(distribution([5, 5, 5, 9])).toMatchObject({ p50: 5, p90: 9 });
    expect(nearestRank([1, 2, 2, 2, 3], 60)).toBe(2);
    expect(nearestRank([1, 2, 3, 4], 50)).toBe(2);
    expect(() => nearestRank([], 50)).toThrow(RangeError);
    expect(() => nearestRank([1], 0)).toThrow(RangeError);
  });
});

const sample = (value: number, from = 'node-a', to = 'node-b', run = 1): Sample => ({ value, from, to, run });
const five = (values: number[], from = 'node-a', to = 'node-b') => values.map((v, i) => sample(v, from, to, i + 1));

describe('gate verdicts and messages', () => {
  it("a missed gate: figure, statistic, value, bound, direction, the samples ascending; QEMU's downtime beside", () => {
    const samples = {
      blackout_ms: five([212, 412, 230, 298, 251]),
      downtime_ms: five([200, 390, 222, 280, 240]),
    };
    const [v, ...rest] = judgeGates({ blackout_ms: { p99: 300 } }, samples);
    expect(rest).toEqual([]);
    expect(v).toMatchObject({ figure: 'blackout_ms', stat: 'p99', bound: 300, value: 412, ok: false });
    expect(v!.message).toBe(
      'blackout_ms p99 = 412 > 300 (node-a→node-b, n=5: 212 230 251 298 412); p99 of 5 samples is their maximum ' +
        '(nearest rank); QEMU downtime_ms p99 = 390, blackout − downtime = 22 ms',
    );
  });

  it('a gate met, per direction (ping-pong): each direction judged on its own samples', () => {
    const samples = { total_ms: [...five([900, 1000, 1100]), ...five([3000, 3100, 2900], 'node-b', 'node-a')] };
    const v = judgeGates({ total_ms: { p50: 2000 } }, samples);
    expect(v.map((x) => [x.direction, x.value, x.ok])).toEqual([
      ['node-a→node-b', 1000, true],
      ['node-b→node-a', 3000, false],
    ]);
    expect(v[0]!.message).toBe('total_ms p50 = 1000 ≤ 2000 (node-a→node-b, n=3: 900 1000 1100)');
  });

  it("a bound within the blackout's resolution says so; downtime gated only when named", () => {
    const samples = {
      blackout_ms: five([30, 31]),
      blackout_resolution_ms: five([12, 9]),
      downtime_ms: five([20, 25]),
    };
    const [v] = judgeGates({ blackout_ms: { max: 10 } }, samples);
    expect(v!.message).toContain('bound 10 ms is below the measurement resolution 12 ms');
    expect(judgeGates({ blackout_ms: { max: 100 } }, samples)[0]!.message).not.toContain('resolution');
    expect(judgeGates({ blackout_ms: { max: 100 } }, samples).map((x) => x.figure)).toEqual(['blackout_ms']);
    const [d] = judgeGates({ downtime_ms: { p50: 22 } }, samples);
    expect(d!.message).toBe(
      'downtime_ms p50 = 20 ≤ 22 (node-a→node-b, n=2: 20 25); guest blackout_ms p50 = 30, ' +
        'blackout − downtime = 10 ms',
    );
  });

  it('gatesByStrategy overrides gates statistic by statistic; other strategies keep gates', () => {
    const gates = { blackout_ms: { p99: 300, p50: 100 }, total_ms: { p50: 5000 } };
    const by = { postcopy: { blackout_ms: { p99: 800 } } };
    expect(gatesFor(gates, by, 'postcopy')).toEqual({ blackout_ms: { p99: 800, p50: 100 }, total_ms: { p50: 5000 } });
    expect(gatesFor(gates, by, 'precopy')).toEqual(gates);
    expect(gatesFor(undefined, undefined, 'precopy')).toEqual({});
  });

  it('no samples of a gated figure: no verdict (the case says how many migrations completed instead)', () => {
    expect(judgeGates({ passes: { max: 3 } }, {})).toEqual([]);
  });
});

describe('the gate keys of the plan: bad input names file and field', () => {
  const plan = (migration: Record<string, unknown>) => ({ name: 'p', suites: ['live-migration'], migration });

  it('good gates, repeat and gatesByStrategy validate', async () => {
    expect(
      await planProblems(
        plan({
          repeat: 5,
          gates: { blackout_ms: { p99: 300 }, total_ms: { p50: 5000 } },
          gatesByStrategy: { postcopy: { blackout_ms: { p99: 600 } } },
        }),
      ),
    ).toEqual([]);
  });

  it('unknown figure or statistic, bound ≤ 0 or not a number, unknown strategy, repeat out of range', async () => {
    expect(
      await planProblems(
        plan({
          repeat: 101,
          gates: { blackout: { p99: 300 }, total_ms: { p95: 1 }, downtime_ms: { p50: 0 }, passes: { max: 'three' } },
          gatesByStrategy: { postcpy: {}, precopy: { blackout_ms: { p99: -1 } } },
        }),
      ),
    ).toEqual([
      'plan.yaml: /migration/repeat must be <= 100',
      'plan.yaml: /migration/gates/blackout is not a known field',
      'plan.yaml: /migration/gates/total_ms/p95 is not a known field (min, p50, p90, p99, max)',
      'plan.yaml: /migration/gates/downtime_ms/p50 must be > 0',
      'plan.yaml: /migration/gates/passes/max must be number',
      'plan.yaml: /migration/gatesByStrategy/postcpy is not a known field (precopy, auto-converge, xbzrle, postcopy, ' +
        'multifd)',
      'plan.yaml: /migration/gatesByStrategy/precopy/blackout_ms/p99 must be > 0',
    ]);
  });

  it('hwqual validate: the typo repaet, ping-pong: 0 and a bad gate exit 2 with file and field, no stack', async () => {
    const dir = tempDir('hwq-gate-keys-');
    writeFileSync(join(dir, 'lab.yaml'), stringify(labOf('node-a', 'node-b')));
    writeFileSync(
      join(dir, 'plan.yaml'),
      stringify(plan({ pairs: 'all-directions', repaet: 5, 'ping-pong': 0, gates: { blackout_ms: { p99: 0 } } })),
    );
    const r = await hwqualInProcess('validate', '--lab', join(dir, 'lab.yaml'), '--plan', join(dir, 'plan.yaml'));
    rmSync(dir, { recursive: true, force: true });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/plan\.yaml: \/migration\/repaet is not a known field/);
    expect(r.err).toMatch(/plan\.yaml: \/migration\/ping-pong must be >= 1/);
    expect(r.err).toMatch(/plan\.yaml: \/migration\/gates\/blackout_ms\/p99 must be > 0/);
    expect(r.err).not.toMatch(/internal error|\n\s+at /);
  });
});

describe('repeated runs: samples, summaries, strip plots', () => {
  const hop = (from: string, to: string, totalMs: number, outcome = 'completed') =>
    ({ from, to, outcome, metrics: { totalMs, downtimeMs: 20, blackoutMs: 35, passes: 3 } }) as never;

  it('each completed hop is one sample per figure, tagged with direction and run; a failed hop is none', () => {
    const run = { hops: [hop('node-a', 'node-b', 900), hop('node-b', 'node-a', 950, 'failed')] } as never;
    const s = runSamples(run, 3);
    expect(s.map(([f]) => f)).toEqual(['total_ms', 'downtime_ms', 'blackout_ms', 'passes']);
    expect(s[0]).toEqual(['total_ms', { value: 900, from: 'node-a', to: 'node-b', run: 3 }]);
  });

  it('summaries per figure and direction: the case direction plain, the way back as return_', () => {
    const m = summaryMetrics({ total_ms: [...five([900, 1000, 1100]), ...five([3000], 'node-b', 'node-a')] }, 'node-a');
    expect(m).toEqual({
      total_ms_n: 3,
      total_ms_min: 900,
      total_ms_p50: 1000,
      total_ms_p90: 1100,
      total_ms_p99: 1100,
      total_ms_max: 1100,
      return_total_ms_n: 1,
      return_total_ms_min: 3000,
      return_total_ms_p50: 3000,
      return_total_ms_p90: 3000,
      return_total_ms_p99: 3000,
      return_total_ms_max: 3000,
    });
  });

  it('a strip plot per gated figure: dots by direction, the gate as a mark, p99 labelled the maximum (n < 100)', () => {
    const samples = { blackout_ms: five([30, 40, 50]), total_ms: five([900, 1000, 1100]) };
    const charts = stripCharts({ blackout_ms: { p99: 300 } }, samples, false);
    expect(charts.map((c) => [c.kind, c.title])).toEqual([
      ['strip', 'blackout_ms: 3 samples by direction (nearest-rank p50, p99)'],
    ]);
    expect(charts[0]!.points).toHaveLength(3);
    expect(charts[0]!.marks).toEqual([
      { label: 'gate p99 ≤ 300', value: 300 },
      { label: 'p50', value: 40, series: 'node-a→node-b' },
      { label: 'p99=max', value: 50, series: 'node-a→node-b' },
    ]);
    expect(stripCharts({}, samples, true).map((c) => c.title.split(':')[0])).toEqual(['total_ms', 'blackout_ms']);
  });
});
