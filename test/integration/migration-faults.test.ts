// Link faults during live migration between two lab-in-a-box hosts (network namespaces, real sshd, QEMU over SSH,
// migration over the lab bridge, `lab link` cutting the destination's veth — which also cuts the controller's SSH
// to it): a transport call on the dead link keeps its timeout; pre-copy with the link cut is called stalled,
// cancelled, the guest stays on A and B's cleanup waits for B; post-copy with the link cut after the switchover is
// paused and recovered by QEMU's post-copy recovery, the guest on B intact.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab } from '../../src/config/index.ts';
import { labDown, labLink, labUp, type LabState } from '../../src/lab/index.ts';
import { createTransport } from '../../src/transport/create.ts';
import { ensureImage } from '../../src/vm/images/builder.ts';
import type { BuiltImage } from '../../src/vm/images/built-image.ts';
import {
  type Endpoint,
  type HopReport,
  launchWorkloadGuest,
  LineCollector,
  MiB,
  type MigrationRequest,
  retireGuest,
  runMigration,
} from '../../src/migration/index.ts';
import { labEndpoints, qemuRunningIn } from './vm-support.ts';

const root = mkdtempSync('/tmp/hwq-migf-');
const labDir = join(root, 'lab');
let state: LabState;
let tiny: BuiltImage;
let a: Endpoint;
let b: Endpoint;
let lab: Awaited<ReturnType<typeof labEndpoints>> | undefined;
const setLinkB = (s: 'up' | 'down') => labLink(labDir, 'node-b', s);

/** QEMU processes inside the lab hosts' network namespaces (what a lab host "runs"). */
function qemuInLab(): string[] {
  return state.hosts.flatMap((h) => {
    const pids = execFileSync('ip', ['netns', 'pids', h.netns!], { encoding: 'utf8' }).split('\n').filter(Boolean);
    return pids
      .filter((p) => {
        try {
          return /^qemu/.test(execFileSync('cat', [`/proc/${p}/comm`], { encoding: 'utf8' }));
        } catch {
          return false;
        }
      })
      .map((p) => `${h.name}:${p}`);
  });
}

beforeAll(async () => {
  tiny = await ensureImage('tiny');
  state = await labUp({ dir: labDir, hosts: 2 });
  if (state.mode !== 'netns')
    throw new Error(`this test needs network namespaces (lab on ${state.mode}: ${state.fallbackReason})`);
  lab = await labEndpoints(state.labYaml);
  [a, b] = lab.ends as [Endpoint, Endpoint];
}, 180_000);

afterAll(async () => {
  await setLinkB('up').catch(() => {});
  const left = state ? qemuInLab() : [];
  await lab?.close();
  await labDown(labDir);
  rmSync(root, { recursive: true, force: true });
  expect(left).toEqual([]);
});

const base = (over: Partial<MigrationRequest>): MigrationRequest => ({
  source: a,
  destination: b,
  image: tiny,
  guest: { accel: 'tcg', memoryMiB: 256, wssMiB: 32, dirtyMiBps: 8 },
  strategy: 'precopy',
  tuning: {},
  deadlineMs: 60_000,
  stallMs: 3000,
  ...over,
});

describe.sequential('link faults during live migration on a 2-host lab', () => {
  it('a command on a host whose link is cut ends at its own timeout (not when the keepalives give up)', async () => {
    const lab = loadLab(state.labYaml);
    const t = createTransport(lab.hosts[1], lab);
    try {
      await t.connect();
      await setLinkB('down');
      const t0 = Date.now();
      const err = await t.exec('true', { timeoutMs: 1500 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_TIMEOUT' });
      expect(Date.now() - t0).toBeLessThan(10_000); // the keepalives (3 × 5 s) would have taken ~20 s
    } finally {
      await setLinkB('up');
      await t.close();
    }
  }, 60_000);

  it("pre-copy, link of B cut mid-migration: stalled (never non-convergence), cancelled, the guest stays on A; B's " +
    'cleanup is pending while B is silent and runs once it answers', async () => {
    const logs: string[] = [];
    const deferred: Array<() => Promise<void>> = [];
    const run = await runMigration(
      base({
        tuning: { maxBandwidth: 8 * MiB },
        cleanupWaitMs: 60_000,
        defer: (fn) => deferred.push(fn),
        log: (m) => logs.push(m),
        fault: { kind: 'link-down', afterMs: 1500, downForMs: 15_000, setLink: setLinkB },
      }),
    );
    const hop = run.hops[0];
    expect(hop.fault).toMatch(/^link of node-b down at \d+ ms for 15000 ms$/);
    expect(hop.outcome).toBe('stalled');
    expect(hop.diagnosis).toMatch(/^stalled: no bytes transferred for [\d.]+ s .*after the fault: link of node-b down/);
    expect(hop.diagnosis).not.toMatch(/converge/);
    expect(hop.samples.at(-1)?.status).toBe('cancelled');
    expect(hop.guestOn).toBe('node-a');
    expect(hop.checks.filter((c) => !c.ok)).toEqual([]);
    expect(hop.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'guest runs on node-a',
        'heartbeat continues',
        'integrity check passes',
        'heartbeat counter has no reset',
        'nothing left on node-b',
      ]),
    );
    // B was silent when its cleanup was due: recorded as pending, then cleaned once B answered again.
    const pendingLogged = logs.indexOf('cleanup pending on node-b: the host does not answer');
    const cleanedLogged = logs.findIndex((l) => /^cleaned up once node-b answered again after [\d.]+ s/.test(l));
    expect(pendingLogged).toBeGreaterThanOrEqual(0);
    expect(cleanedLogged).toBeGreaterThan(pendingLogged);
    expect(hop.cleanups).toHaveLength(1);
    const rec = hop.cleanups![0];
    expect(rec).toMatchObject({ host: 'node-b', role: 'destination', state: 'cleaned' });
    expect(rec.resolvedAt! - rec.pendingSince).toBe(rec.waitedMs);
    expect(rec.waitedMs).toBeGreaterThan(0);
    expect(hop.checks.find((c) => c.name === 'nothing left on node-b')?.detail).toMatch(
      /^cleaned up once node-b answered again after [\d.]+ s/,
    );
    expect(hop.cleanupPending).toEqual([]);
    expect(hop.metrics.cleanupWaitedMs).toBe(rec.waitedMs);
    expect(await qemuRunningIn(rec.workDir)).toBe(false);
    expect(existsSync(rec.workDir)).toBe(false); // the lab hosts share this machine's filesystem
    // The runner's deferred cleanup was registered when B went silent; with the cleanup done it has nothing to do.
    expect(deferred).toHaveLength(1);
    await expect(deferred[0]()).resolves.toBeUndefined();
    expect(run.passed).toBe(false);
  }, 240_000);

  it('B silent for longer than the case waits: the cleanup stays pending (its QEMU still there), and the deferred ' +
    'cleanup runs it once B answers', async () => {
    const g = await launchWorkloadGuest(
      b.transport,
      'node-b',
      tiny,
      { accel: 'tcg', memoryMiB: 128, wssMiB: 8, dirtyMiBps: 0 },
      new LineCollector(),
    );
    const workDir = g.vm.paths.workDir;
    const report: HopReport = {
      from: 'node-a',
      to: 'node-b',
      strategy: 'precopy',
      outcome: 'failed',
      guestOn: 'node-a',
      uri: 'tcp:-',
      metrics: {},
      settings: { source: { capabilities: {}, parameters: {} }, destination: { capabilities: {}, parameters: {} } },
      samples: [],
      passes: [],
      events: [],
      checks: [],
      cleanupPending: [],
      window: { from: 0, to: 0 },
    };
    const deferred: Array<() => Promise<void>> = [];
    try {
      await setLinkB('down');
      await retireGuest(report, g, b, 'destination', { waitMs: 2000, defer: (fn) => deferred.push(fn) });
      expect(report.checks).toEqual([
        {
          name: 'nothing left on node-b',
          ok: false,
          detail: 'cleanup pending on node-b: no answer within 2.0 s; it is tried again when the case ends',
        },
      ]);
      expect(report.cleanupPending).toEqual(['node-b']);
      expect(report.cleanups).toEqual([expect.objectContaining({ host: 'node-b', state: 'pending', workDir })]);
      expect(await qemuRunningIn(workDir)).toBe(true); // really pending: nothing reached B
    } finally {
      await setLinkB('up');
    }
    expect(deferred).toHaveLength(1);
    await deferred[0](); // what the runner does with ctx.defer cleanups when the case ends
    expect(report.cleanups![0]).toMatchObject({ state: 'cleaned' });
    expect(report.checks[0]).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/^cleaned up once node-b answered again after [\d.]+ s/),
    });
    expect(report.cleanupPending).toEqual([]);
    expect(await qemuRunningIn(workDir)).toBe(false);
    expect(existsSync(workDir)).toBe(false);
  }, 120_000);

  it('post-copy, link of B cut after the switchover: paused, recovered once B answers (migrate-recover + resume), ' +
    'the guest runs on B intact', async () => {
    const logs: string[] = [];
    const run = await runMigration(
      base({
        strategy: 'postcopy',
        guest: { accel: 'tcg', memoryMiB: 256, wssMiB: 32, dirtyMiBps: 40 },
        tuning: { maxBandwidth: 64 * MiB },
        postcopyBandwidth: 4 * MiB,
        recovery: { linkWaitMs: 60_000 },
        log: (m) => logs.push(m),
        fault: { kind: 'link-down', after: 'postcopy', afterMs: 300, downForMs: 8000, setLink: setLinkB },
      }),
    );
    const hop = run.hops[0];
    expect(hop.fault, logs.join('\n')).toMatch(/300 ms after the post-copy switchover/);
    expect(hop.settings.source.parameters['max-postcopy-bandwidth']).toBe(4 * MiB);
    const r = hop.recovery!;
    expect(r, logs.join('\n')).toMatchObject({ outcome: 'recovered', sourceStatus: 'completed' });
    expect(r.uri).toMatch(new RegExp(`^tcp:${b.address.replace(/\./g, '\\.')}:\\d+$`));
    expect(r.uri).not.toBe(hop.uri);
    expect(r.stalledAt).toBeLessThanOrEqual(r.pausedAt!);
    expect(r.pausedAt!).toBeLessThanOrEqual(r.linkBackAt!);
    expect(r.linkBackAt!).toBeLessThanOrEqual(r.resumedAt!);
    expect(r.resumedAt!).toBeLessThanOrEqual(r.recoveredAt!);
    expect(r.steps.map((s) => s.step)).toEqual(
      expect.arrayContaining([
        'migrate-pause on node-a',
        `migrate-recover on node-b (${r.uri})`,
        'migrate resume on node-a',
        'completed',
      ]),
    );
    expect(hop.samples.map((s) => s.status)).toEqual(
      expect.arrayContaining(['postcopy-active', 'postcopy-paused', 'completed']),
    );
    expect(hop.outcome).toBe('completed');
    expect(hop.guestOn).toBe('node-b');
    expect(hop.metrics.recovered).toBe(1);
    expect(hop.metrics.recoveryMs).toBe(r.recoveredAt! - r.pausedAt!);
    expect(hop.checks.filter((c) => !c.ok)).toEqual([]);
    expect(hop.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'post-copy recovery',
        'guest runs on node-b',
        'heartbeat continues',
        'integrity check passes',
        'heartbeat counter has no reset',
        'source QEMU ended, no process left on node-a',
      ]),
    );
    expect(run.passed).toBe(true);
  }, 240_000);

  it("post-copy, destination killed after the switchover: QEMU pauses by itself, the recovery cannot reach B's QEMU, " +
    'the guest is lost with what QEMU said', async () => {
    const run = await runMigration(
      base({
        strategy: 'postcopy',
        guest: { accel: 'tcg', memoryMiB: 256, wssMiB: 32, dirtyMiBps: 40 },
        tuning: { maxBandwidth: 64 * MiB },
        postcopyBandwidth: 4 * MiB,
        cleanupWaitMs: 10_000,
        fault: { kind: 'kill-destination', after: 'postcopy', afterMs: 300 },
      }),
    );
    const hop = run.hops[0];
    expect(hop.fault).toMatch(
      /^destination QEMU on node-b killed at \d+ ms \(300 ms after the post-copy switchover\)$/,
    );
    expect(hop.outcome).toBe('lost');
    expect(hop.guestOn).toBe('none');
    expect(hop.recovery).toMatchObject({ outcome: 'lost', sourceStatus: 'postcopy-paused' });
    expect(hop.recovery!.detail).toMatch(
      /^node-b: the destination QEMU is gone \(pid \d+ exited or was killed\); node-a is postcopy-paused/,
    );
    expect(hop.diagnosis).toBe(`post-copy recovery failed: ${hop.recovery!.detail}`);
    expect(hop.samples.map((s) => s.status)).toContain('postcopy-paused');
    expect(hop.metrics.recovered).toBe(0);
    expect(hop.checks.find((c) => c.name === 'post-copy recovery')).toMatchObject({
      ok: false,
      detail: `lost: ${hop.recovery!.detail}`,
    });
    // Neither end keeps anything.
    expect(hop.checks.filter((c) => c.name !== 'post-copy recovery' && !c.ok)).toEqual([]);
    expect(hop.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['nothing left on node-b', 'source QEMU ended, no process left on node-a']),
    );
    expect(run.passed).toBe(false);
  }, 240_000);
});
