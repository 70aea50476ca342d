// Migration figures as release gates on a 2-host lab-in-a-box (issue 21): repeat 5 of an idle precopy migration
// through hwqual run — samples, summaries as metrics and JUnit properties, the strip plot — a tight gate that fails the
// case beside a loose one that holds, and a baseline at 32 MiB/s against 128 MiB/s (total time ~4× longer; 8 MiB/s
// would add ~50 s) flagged on total_ms by the exact Mann–Whitney U test; the blackout's resolution growing on a
// rate-limited link (lab shape). Gates here are product behaviour with impossible/trivial bounds, not timing targets.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown, labShape, labUp, type LabState } from '../../src/lab/index.ts';
import { type Endpoint, MiB, runMigration } from '../../src/migration/index.ts';
import type { RunResults } from '../../src/model/result.ts';
import { ensureImage } from '../../src/vm/images/builder.ts';
import { junitValidates, runCli } from '../support/cli.ts';
import { labEndpoints } from './vm-support.ts';

const root = mkdtempSync('/tmp/hwq-gates-');
let state: LabState;
/** The blackout resolutions of the unshaped 128 MiB/s runs (first test), for the shaped run to compare with. */
let unshaped: number[] = [];
const CASE = 'live-migration/migrate[from=node-a,to=node-b,strategy=precopy]@node-a';

beforeAll(async () => {
  await ensureImage('tiny');
  state = await labUp({ dir: join(root, 'lab'), hosts: 2 });
}, 180_000);

afterAll(async () => {
  await labDown(join(root, 'lab'));
  rmSync(root, { recursive: true, force: true });
});

/** hwqual run of one precopy pair, idle small guest, repeat 5, with these migration keys; its results. */
async function run(name: string, migration: Record<string, unknown>, extra: string[] = []) {
  const plan = join(root, `${name}.json`);
  writeFileSync(
    plan,
    JSON.stringify({
      name,
      suites: ['live-migration'],
      settings: {
        accel: 'tcg',
        migration: {
          pairs: [['node-a', 'node-b']],
          guest: { memoryMiB: 128, wssMiB: 1, dirtyMiBps: 0 },
          repeat: 5,
          ...migration,
        },
      },
    }),
  );
  const out = join(root, name);
  const r = await runCli(['run', '--lab', state.labYaml, '--plan', plan, '--out', out, ...extra]);
  const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
  return { r, out, res, c: res.cases.find((c) => c.id === CASE)! };
}

describe.sequential('migration gates on a 2-host lab', () => {
  it('repeat 5 at 128 MiB/s: 5 samples a figure, summaries as metrics and JUnit properties; a tight gate fails the ' +
    'case with figure, gate and samples while a loose one holds; the strip plot in report.html', async () => {
    const { r, out, c } = await run('fast', {
      'max-bandwidth': 128,
      gates: { blackout_ms: { p50: 1, max: 60_000 } },
    });
    expect(c.status, c.message).toBe('failed');
    expect(r.code, r.stderr).toBe(1);
    for (const f of ['total_ms', 'downtime_ms', 'blackout_ms', 'blackout_resolution_ms', 'transferred_bytes', 'passes'])
      expect(
        c.samples?.[f]?.map((s) => [s.from, s.to, s.run]),
        f,
      ).toEqual([1, 2, 3, 4, 5].map((i) => ['node-a', 'node-b', i]));
    const blackouts = c.samples!.blackout_ms!.map((s) => s.value).sort((a, b) => a - b);
    expect(c.metrics.blackout_ms_n).toBe(5);
    expect(c.metrics.blackout_ms_p50).toBe(blackouts[2]);
    expect(c.metrics.blackout_ms_p99).toBe(blackouts[4]);
    expect(c.metrics.total_ms_max).toBe(Math.max(...c.samples!.total_ms!.map((s) => s.value)));
    // QEMU's total-time is read once it is computed (hop.ts), never the 0 of a query between completed and that.
    for (const s of c.samples!.total_ms!) expect(s.value).toBeGreaterThan(0);
    const tight = c.assertions.find((a) => a.name === 'gate blackout_ms p50 ≤ 1 (node-a→node-b)');
    expect(tight).toMatchObject({ passed: false, expected: 'p50 ≤ 1', actual: String(blackouts[2]) });
    expect(tight?.message).toContain(
      `blackout_ms p50 = ${blackouts[2]} > 1 (node-a→node-b, n=5: ${blackouts.join(' ')})`,
    );
    expect(tight?.message).toMatch(/QEMU downtime_ms p50 = \d+, blackout − downtime = -?\d+ ms/);
    expect(tight?.message).toMatch(/bound 1 ms is below the measurement resolution \d+ ms/);
    expect(c.assertions.find((a) => a.name === 'gate blackout_ms max ≤ 60000 (node-a→node-b)')?.passed).toBe(true);
    expect(c.assertions.filter((a) => !a.passed).map((a) => a.name)).toEqual([
      'gate blackout_ms p50 ≤ 1 (node-a→node-b)',
    ]);
    // Each blackout carries its resolution: at least one heartbeat period (10 ms) plus the streams' delay spread.
    unshaped = c.samples!.blackout_resolution_ms!.map((x) => x.value);
    for (const x of unshaped) expect(x).toBeGreaterThanOrEqual(10);
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<property name="[^"]*blackout_ms_p99" value="\d+"/);
    expect(junitValidates(join(out, 'junit.xml'))).toMatchObject({ ok: true });
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('class="chart strip"');
    expect(html).toContain('gate p50 ≤ 1');
  }, 400_000);

  // Ten more guest boots (~45 s): with `npm run test:gates` (HWQUAL_GATES_BASELINE=1), out of npm test's budget.
  it.runIf(process.env.HWQUAL_GATES_BASELINE)(
    'the same plan at 32 MiB/s with a loose gate passes, and against the ' +
      '128 MiB/s run as baseline total_ms is ' +
      'flagged by the exact Mann–Whitney U test',
    async () => {
      const { r, c, res } = await run('slow', { 'max-bandwidth': 32, gates: { blackout_ms: { max: 60_000 } } }, [
        '--baseline',
        join(root, 'fast'),
      ]);
      expect(c.status, c.message).toBe('passed');
      expect(c.samples?.total_ms).toHaveLength(5);
      const row = res.baseline?.metrics.find((m) => m.metric === 'total_ms (node-a→node-b)');
      expect(row).toMatchObject({ method: 'mann-whitney', p: 2 / 252, n: [5, 5] });
      expect(row!.after).toBeGreaterThan(row!.before * 2);
      // No single-value row for a figure the test covered.
      expect(res.baseline?.metrics.some((m) => m.metric === 'total_ms' || m.metric === 'total_ms_p50')).toBe(false);
      expect(r.stdout + r.stderr).not.toMatch(/internal error/);
    },
    400_000,
  );

  it("the blackout's resolution grows when node-a's link is rate-limited (lab shape): heartbeat lines queue " +
    'behind the migration traffic on the same link', async () => {
    expect(unshaped).toHaveLength(5);
    const lab = await labEndpoints(state.labYaml);
    await labShape(join(root, 'lab'), 'node-a', { rate: '160mbit' });
    try {
      const [a, b] = lab.ends as [Endpoint, Endpoint];
      const run = await runMigration({
        source: a,
        destination: b,
        image: await ensureImage('tiny'),
        guest: { accel: 'tcg', memoryMiB: 128, wssMiB: 1, dirtyMiBps: 0 },
        strategy: 'precopy',
        tuning: { maxBandwidth: 128 * MiB },
        deadlineMs: 40_000,
      });
      const hop = run.hops[0]!;
      expect(hop.outcome, hop.diagnosis).toBe('completed');
      // tbf queues up to 100 ms of traffic: node-a's stream spread grows by about that (96 ms measured against 34 ms
      // for node-b, resolution 106 ms against 22-26 ms unshaped), node-b's link is not shaped.
      expect(hop.heartbeat!.streamSpreadMs['node-a']).toBeGreaterThan(hop.heartbeat!.streamSpreadMs['node-b']!);
      // Against the unshaped runs' median (the machine's own load makes single unshaped runs jump too).
      expect(hop.metrics.blackoutResolutionMs).toBeGreaterThan([...unshaped].sort((x, y) => x - y)[2]!);
    } finally {
      await labShape(join(root, 'lab'), 'node-a', { clear: true });
      await lab.close();
    }
  }, 240_000);
});
