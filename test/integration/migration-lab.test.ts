// Live migration between two lab-in-a-box hosts (network namespaces, real sshd, QEMU over SSH, migration over
// the lab bridge): precopy idle (through hwqual run) and loaded with ping-pong, a non-converging case with its
// diagnosis, post-copy, and a destination killed mid-migration (a plan fault through hwqual run).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown, labUp, type LabState } from '../../src/lab/index.ts';
import { ensureImage } from '../../src/vm/images/builder.ts';
import type { BuiltImage } from '../../src/vm/images/built-image.ts';
import { type Endpoint, MiB, type MigrationRequest, runMigration } from '../../src/migration/index.ts';
import type { RunResults } from '../../src/model/result.ts';
import { junitValidates, runCli } from '../support/cli.ts';
import { labEndpoints, qemuRunningIn } from './vm-support.ts';

const root = mkdtempSync('/tmp/hwq-mig-');
let state: LabState;
let tiny: BuiltImage;
let a: Endpoint;
let b: Endpoint;
let lab: Awaited<ReturnType<typeof labEndpoints>> | undefined;
const workDirs: string[] = [];

beforeAll(async () => {
  tiny = await ensureImage('tiny');
  state = await labUp({ dir: join(root, 'lab'), hosts: 2 });
  lab = await labEndpoints(state.labYaml);
  [a, b] = lab.ends as [Endpoint, Endpoint];
}, 180_000);

afterAll(async () => {
  await lab?.close();
  await labDown(join(root, 'lab'));
  for (const d of workDirs) expect(await qemuRunningIn(d)).toBe(false);
  rmSync(root, { recursive: true, force: true });
});

const base = (over: Partial<MigrationRequest> = {}): MigrationRequest => ({
  source: a,
  destination: b,
  image: tiny,
  guest: { accel: 'tcg', memoryMiB: 256, wssMiB: 32, dirtyMiBps: 0 },
  strategy: 'precopy',
  tuning: {},
  deadlineMs: 40_000,
  ...over,
});

describe.sequential('live migration on a 2-host lab', () => {
  it('hwqual run, idle guest: the live-migration suite over one pair writes metrics, JUnit properties and the pass ' +
    'series', async () => {
    const plan = join(root, 'plan.json');
    writeFileSync(
      plan,
      JSON.stringify({
        name: 'migration',
        suites: ['live-migration'],
        settings: {
          accel: 'tcg',
          migration: { pairs: [['node-a', 'node-b']], strategies: ['precopy'], guest: { wssMiB: 16, dirtyMiBps: 0 } },
        },
      }),
    );
    const out = join(root, 'out-run');
    const r = await runCli(['run', '--lab', state.labYaml, '--plan', plan, '--out', out]);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
    expect(res.cases.map((c) => [c.id, c.status])).toEqual([
      ['live-migration/migrate[from=node-a,to=node-b,strategy=precopy]@node-a', 'passed'],
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const m = res.cases[0].metrics;
    for (const k of [
      'total_ms',
      'setup_ms',
      'downtime_ms',
      'blackout_ms',
      'transferred_bytes',
      'passes',
      'throttle_pct',
      'dirty_rate_measured_mibps',
      'predicted_downtime_ms',
    ])
      expect(m[k], k).toBeTypeOf('number');
    expect(res.cases[0].artifacts.map((a) => a.name)).toContain('migration.json');
    // The suite gives the per-pass series as data; the HTML report draws them.
    expect(res.cases[0].charts?.map((c) => c.title)).toEqual(
      expect.arrayContaining(['node-a → node-b (precopy): remaining per pass']),
    );
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('remaining per pass');
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<property name="[^"]*blackout_ms" value="\d+"/);
    expect(junitValidates(join(out, 'junit.xml'))).toMatchObject({ ok: true });
  }, 300_000);

  it('precopy under load (16 MiB/s over 32 MiB), ping-pong ×2: the guest runs on B, then back on A, heartbeat and ' +
    'stamps intact, nothing left behind', async () => {
    const run = await runMigration(
      base({ hops: 2, guest: { accel: 'tcg', memoryMiB: 256, wssMiB: 32, dirtyMiBps: 16 } }),
    );
    expect(run.dirtyRateMiBps).toBeGreaterThan(0);
    expect(run.hops[0].prediction?.converges).toBe(true);
    expect(run.hops.map((h) => [h.from, h.to, h.outcome])).toEqual([
      ['node-a', 'node-b', 'completed'],
      ['node-b', 'node-a', 'completed'],
    ]);
    expect(run.hops[1].checks.filter((c) => !c.ok)).toEqual([]);
    expect(run.hops[1].checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['guest runs on node-a', 'source QEMU ended, no process left on node-b']),
    );
    const hop = run.hops[0];
    expect(hop.outcome, hop.diagnosis).toBe('completed');
    expect(hop.uri).toMatch(new RegExp(`^tcp:${b.address.replace(/\./g, '\\.')}:\\d+$`));
    expect(hop.checks.filter((c) => !c.ok)).toEqual([]);
    expect(hop.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'guest runs on node-b',
        'heartbeat continues',
        'integrity check passes',
        'heartbeat counter has no reset',
      ]),
    );
    expect(hop.metrics.totalMs).toBeGreaterThan(0);
    expect(hop.metrics.downtimeMs).toBeGreaterThanOrEqual(0);
    expect(hop.metrics.blackoutMs).toBeGreaterThan(0);
    expect(hop.samples.length).toBeGreaterThan(1);
    expect(hop.settings.source.capabilities.events).toBe(true);
    expect(hop.events.some((e) => e.event === 'MIGRATION')).toBe(true);
    expect(run.passed).toBe(true);
  }, 240_000);

  it('non-converging: dirty rate above a low max-bandwidth is diagnosed, cancelled; the guest stays on A', async () => {
    const run = await runMigration(
      base({
        guest: { accel: 'tcg', memoryMiB: 256, wssMiB: 24, dirtyMiBps: 60 },
        tuning: { maxBandwidth: 12 * MiB, downtimeLimitMs: 50 },
      }),
    );
    const hop = run.hops[0];
    expect(hop.outcome).toBe('not-converging');
    expect(hop.diagnosis).toMatch(/^does not converge: .*\d+ passes in [\d.]+ s$/);
    expect(hop.diagnosis).not.toMatch(/no completion within/); // called from the passes, not by the deadline
    expect(hop.guestOn).toBe('node-a');
    expect(hop.checks.filter((c) => !c.ok)).toEqual([]);
    expect(hop.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['guest runs on node-a', 'nothing left on node-b']),
    );
    expect(run.prediction.converges).toBe(false);
    expect(run.passed).toBe(false);
  }, 240_000);

  it('postcopy: switched after the bulk pass, completes on B', async () => {
    const run = await runMigration(
      base({
        strategy: 'postcopy',
        guest: { accel: 'tcg', memoryMiB: 256, wssMiB: 32, dirtyMiBps: 40 },
        tuning: { maxBandwidth: 16 * MiB },
      }),
    );
    const hop = run.hops[0];
    expect(hop.outcome, hop.diagnosis).toBe('completed');
    expect(hop.settings.destination.capabilities['postcopy-ram']).toBe(true);
    // The switch is seen in QEMU's MIGRATION events (a 100 ms sample can miss a post-copy phase that short).
    expect(hop.events.some((e) => e.event === 'MIGRATION' && e.data?.status === 'postcopy-active')).toBe(true);
    expect(hop.checks.filter((c) => !c.ok)).toEqual([]);
  }, 240_000);

  it('destination killed mid-migration (a plan fault, through hwqual run): failed with the cause, the guest keeps ' +
    'running on A, nothing left on B', async () => {
    const plan = join(root, 'plan-fault.json');
    writeFileSync(
      plan,
      JSON.stringify({
        name: 'migration-fault',
        suites: ['live-migration'],
        settings: {
          accel: 'tcg',
          migration: {
            pairs: [['node-a', 'node-b']],
            guest: { memoryMiB: 256, wssMiB: 32, dirtyMiBps: 8 },
            'max-bandwidth': 8,
            fault: { kind: 'kill-destination', at: 1.5 },
          },
        },
      }),
    );
    const out = join(root, 'out-fault');
    const r = await runCli(['run', '--lab', state.labYaml, '--plan', plan, '--out', out]);
    expect(r.code, r.stderr + r.stdout).toBe(1);
    const c = (JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults).cases[0];
    expect(c.status).toBe('failed');
    expect(c.message).toMatch(/node-a → node-b: failed: .*\(destination QEMU on node-b killed at \d+ ms\)/);
    const record = c.artifacts.find((a) => a.name === 'migration.json');
    const run = JSON.parse(readFileSync(join(out, record!.path), 'utf8')) as {
      hops: Array<{ outcome: string; guestOn: string; fault: string; checks: Array<{ name: string; ok: boolean }> }>;
    };
    const hop = run.hops[0];
    expect(hop.fault).toMatch(/destination QEMU on node-b killed/);
    expect(hop.outcome).toBe('failed');
    expect(hop.guestOn).toBe('node-a');
    expect(hop.checks.filter((x) => !x.ok)).toEqual([]);
    expect(hop.checks.map((x) => x.name)).toEqual(
      expect.arrayContaining(['guest runs on node-a', 'heartbeat continues', 'nothing left on node-b']),
    );
    expect(junitValidates(join(out, 'junit.xml'))).toMatchObject({ ok: true });
  }, 240_000);
});
