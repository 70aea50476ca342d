// `npm run test:libvirt` (HWQUAL_LIBVIRT=1): the rest of the libvirt driver on its own 2-host lab (debian-12 with
// libvirt 9.0, debian-13 with libvirt 11.3, TCG) — Nova's completion timeout executed (abort, and force_complete
// without post-copy), the kill-destination and link-down faults, the pool-baseline comparison with libvirt's
// hypervisor-cpu-baseline, and a second SIGINT (the emergency path); after each, no domain and no QEMU left.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown, labLink, labUp, type LabState } from '../../src/lab/index.ts';
import type { RunResults } from '../../src/model/result.ts';
import { ensureImage } from '../../src/vm/images/builder.ts';
import type { BuiltImage } from '../../src/vm/images/built-image.ts';
import { MiB, NOVA_DEFAULTS, runMigration, type Endpoint, type MigrationRequest } from '../../src/migration/index.ts';
import { runCli } from '../support/cli.ts';
import { inFlightMigrationPlan, leftOnLab, untilMigrationInFlight, waitFor } from './libvirt-support.ts';
import { labEndpoints } from './vm-support.ts';

const root = mkdtempSync('/tmp/hwq-libvirt-nf-');
const dir = join(root, 'lab');
let state: LabState;
let tiny: BuiltImage;
let lab: Awaited<ReturnType<typeof labEndpoints>> | undefined;
let a: Endpoint;
let b: Endpoint;

beforeAll(async () => {
  state = await labUp({ dir, hosts: 2, os: { 'node-a': 'debian-12', 'node-b': 'debian-13' }, libvirt: true });
  tiny = await ensureImage('tiny');
  lab = await labEndpoints(state.labYaml);
  [a, b] = lab.ends as [Endpoint, Endpoint];
}, 900_000);

afterAll(async () => {
  await labLink(dir, 'node-b', 'up').catch(() => {});
  await lab?.close();
  await labDown(dir).catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

/** A guest that dirties faster (~48 MiB/s measured under TCG) than the 32 MiB/s it may be sent at: never converges. */
const hot = (over: Partial<MigrationRequest>): MigrationRequest => ({
  source: a,
  destination: b,
  image: tiny,
  driver: 'libvirt',
  guest: { accel: 'tcg', memoryMiB: 256, wssMiB: 48, dirtyMiBps: 64, cpu: 'Westmere', machine: 'pc-q35-7.2' },
  strategy: 'precopy',
  tuning: { maxBandwidth: 32 * MiB },
  deadlineMs: 60_000,
  stallMs: 3000,
  cleanupWaitMs: 60_000,
  ...over,
});

describe.sequential("Nova's behaviour executed, faults and the pool baseline on the libvirt path", () => {
  it('abort: the completion timeout (5 s/GiB × 2 GiB) ends it with domjobabort; the guest stays on A', async () => {
    const run = await runMigration(hot({ nova: { ...NOVA_DEFAULTS, completionTimeoutSecPerGiB: 5 } }));
    const hop = run.hops[0]!;
    expect(hop.outcome).toBe('not-converging');
    expect(hop.guestOn).toBe('node-a');
    expect(hop.diagnosis).toMatch(
      /^Nova \(executed\): migration aborted \(domjobabort\) after the 10 s completion timeout/,
    );
    expect(hop.nova?.predicted).toMatchObject({ outcome: 'aborted', atSec: 10 });
    expect(hop.nova?.executed).toMatchObject({
      outcome: 'aborted',
      timeoutSec: 10,
      timeoutAction: { action: 'abort', result: 'virsh domjobabort: ok' },
    });
    expect(hop.nova!.executed!.timeoutAction!.atSec).toBeGreaterThanOrEqual(10);
    expect(hop.nova!.executed!.timeoutAction!.atSec).toBeLessThan(12);
    expect(hop.nova!.executed!.downtimeSteps[0]).toMatchObject({ ms: 50 }); // Nova's first step, applied
    expect(hop.nova?.disagreement).toBeUndefined();
    expect(hop.checks.filter((c) => !c.ok)).toEqual([]);
    expect(hop.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['guest runs on node-a', 'nothing left on node-b']),
    );
    expect(leftOnLab(state)).toEqual([]);
  }, 240_000);

  it('force_complete, no post-copy: Nova pauses the guest a round after the timeout; it completes on B', async () => {
    const run = await runMigration(
      hot({ nova: { ...NOVA_DEFAULTS, completionTimeoutSecPerGiB: 5, timeoutAction: 'force_complete' } }),
    );
    const hop = run.hops[0]!;
    expect([hop.outcome, hop.guestOn]).toEqual(['completed', 'node-b']);
    expect(hop.nova?.predicted).toMatchObject({ outcome: 'paused', atSec: 10 });
    expect(hop.nova?.executed).toMatchObject({
      outcome: 'paused',
      timeoutAction: { action: 'pause', result: 'virsh suspend: ok' },
      message: expect.stringMatching(
        /paused the instance \(suspend\) after the 10 s completion timeout.*then completed/,
      ),
    });
    expect(hop.nova!.executed!.timeoutAction!.atSec).toBeGreaterThan(10);
    // The pause is the downtime: the guest stood still from the suspend until B ran it.
    expect(hop.metrics.downtimeMs).toBeGreaterThan(300);
    expect(hop.checks.filter((c) => !c.ok)).toEqual([]);
    expect(leftOnLab(state)).toEqual([]);
  }, 240_000);

  it('kill-destination: libvirt reports the failure, the guest stays on A, nothing left on either host', async () => {
    const run = await runMigration(
      hot({
        guest: { accel: 'tcg', memoryMiB: 256, wssMiB: 32, dirtyMiBps: 8, cpu: 'Westmere', machine: 'pc-q35-7.2' },
        tuning: { maxBandwidth: 8 * MiB },
        fault: { kind: 'kill-destination', afterMs: 1500 },
      }),
    );
    const hop = run.hops[0]!;
    expect([hop.outcome, hop.guestOn]).toEqual(['failed', 'node-a']);
    expect(hop.fault).toMatch(/^destination QEMU \(pid \d+\) on node-b killed at \d+ ms$/);
    expect(hop.diagnosis).toMatch(/^libvirt: .*\(after the fault: destination QEMU/);
    expect(hop.checks.filter((c) => !c.ok)).toEqual([]);
    expect(leftOnLab(state)).toEqual([]);
  }, 240_000);

  it("link-down: stalled, hwqual aborts the job, the guest stays on A; B's cleanup runs once it answers", async () => {
    const run = await runMigration(
      hot({
        guest: { accel: 'tcg', memoryMiB: 256, wssMiB: 32, dirtyMiBps: 8, cpu: 'Westmere', machine: 'pc-q35-7.2' },
        tuning: { maxBandwidth: 8 * MiB },
        fault: { kind: 'link-down', afterMs: 1500, downForMs: 12_000, setLink: (s) => labLink(dir, 'node-b', s) },
      }),
    );
    const hop = run.hops[0]!;
    expect([hop.outcome, hop.guestOn]).toEqual(['stalled', 'node-a']);
    expect(hop.diagnosis).toMatch(/^stalled: no bytes transferred .*after the fault: link of node-b down/);
    expect(hop.checks.filter((c) => !c.ok)).toEqual([]);
    await waitFor(() => leftOnLab(state).length === 0, 30_000, 'nothing left after the link came back');
  }, 240_000);

  it("pool-baseline: libvirt 9.0's and 11.3's hypervisor-cpu-baseline beside hwqual's model, by name map", async () => {
    const out = join(root, 'out-pool');
    const plan = join(root, 'pool.yaml');
    writeFileSync(plan, stringify({ name: 'pool', suites: ['cpu-features'], driver: 'libvirt', accel: 'tcg' }));
    const r = await runCli(['run', '--lab', state.labYaml, '--plan', plan, '--out', out, '--grep', 'pool-baseline']);
    expect(r.code, r.stderr.slice(-1500)).toBe(4); // one case of the plan's: incomplete, by design of --grep
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
    // One pool per CPU vendor (the plan names no cpuPool): `amd` or `intel`, by this machine's CPU.
    const c = res.cases.find((x) => x.id.startsWith('cpu-features/pool-baseline[pool='))!;
    expect(c.status).toBe('passed');
    const pool = res.hosts.find((h) => h.name === 'node-a')!.facts.extra?.[`cpuPool.${c.params.pool}`] as {
      model: string;
      libvirt: { qemu: string; libvirt: string; features: Record<string, string[]> };
    };
    const art = JSON.parse(
      readFileSync(join(out, c.artifacts.find((x) => x.name === 'libvirt-baseline.json')!.path), 'utf8'),
    );
    expect(art.answers.map((x: { host: string; libvirtVersion: string }) => [x.host, x.libvirtVersion])).toEqual([
      ['node-a', '9.0.0'],
      ['node-b', expect.stringMatching(/^11\.3\./)],
    ]);
    for (const cmp of art.comparison)
      expect(cmp).toMatchObject({ hwqual: pool.model, libvirtAsQemu: pool.model, same: true });
    // The pool's model in libvirt's name, expanded by each member's libvirt (what Nova's traits come from).
    expect(pool.libvirt).toMatchObject({ qemu: pool.model, libvirt: pool.model.replace(/-v1$/, '') });
    for (const h of ['node-a', 'node-b'])
      expect(pool.libvirt.features[h]).toEqual(expect.arrayContaining(['sse2', 'lm']));
  }, 240_000);

  it('SIGINT twice mid-migration (libvirt): emergency destroy + undefine, exit 130, nothing left', async () => {
    const out = join(root, 'out-sigint2');
    const plan = join(root, 'sigint2.yaml');
    writeFileSync(plan, stringify(inFlightMigrationPlan('sigint-twice')));
    const run = runCli(['run', '--lab', state.labYaml, '--plan', plan, '--out', out]);
    await untilMigrationInFlight(state);
    run.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 100));
    run.kill('SIGINT');
    const r = await run;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/SIGINT again/);
    await waitFor(() => leftOnLab(state).length === 0, 30_000, 'nothing left after the second SIGINT');
  }, 300_000);
});
