// The libvirt driver on one shared 2-host lab: node-a on a Debian 12 root with libvirt 9.0 / QEMU 7.2, node-b on
// Debian 13 with libvirt 11.3 / QEMU 10.0, each with its own libvirtd (lab up --libvirt), guests under TCG. One
// `hwqual run` with driver: libvirt proves the path: host-os reads both libvirts, guest-images boots through domain XML
// on each host, live-migration moves the workload guest 12→13 and 13→12 with virsh migrate (Nova's flags) on the
// pool's CPU model as libvirt names it; afterwards no hwqual domain and no QEMU on either host. Then a SIGINT in the
// middle of a libvirt migration leaves nothing either, and the bad inputs exit 2. Nova's timeout actions, faults and
// the pool-baseline comparison run in `npm run test:libvirt` (libvirt-nova-faults.test.ts).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown, labUp, type LabState } from '../../src/lab/index.ts';
import { isAlive } from '../../src/lab/proc.ts';
import type { RunResults } from '../../src/model/result.ts';
import type { HopReport } from '../../src/migration/index.ts';
import { cliInProcess as cli, junitValidates, runCli } from '../support/cli.ts';
import {
  caseOf,
  inFlightMigrationPlan,
  leftOnLab,
  qemuIn,
  untilMigrationInFlight,
  waitFor,
} from './libvirt-support.ts';

const root = mkdtempSync('/tmp/hwq-libvirt-');
const dir = join(root, 'lab');
let state: LabState;
const results = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
const planFile = (name: string, plan: Record<string, unknown>) => {
  const f = join(root, `${name}.yaml`);
  writeFileSync(f, stringify(plan));
  return f;
};

beforeAll(async () => {
  const t0 = performance.now();
  state = await labUp({
    dir,
    hosts: 2,
    os: { 'node-a': 'debian-12', 'node-b': 'debian-13' },
    libvirt: true,
    log: (line) => process.stderr.write(`libvirt-lab: ${line}\n`),
  });
  process.stderr.write(`libvirt-lab: lab up in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}, 900_000); // a fresh clone debootstraps both +libvirt roots first (~4 min here)

afterAll(async () => {
  await labDown(dir).catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

describe.sequential('the libvirt driver on debian-12 (libvirt 9.0) and debian-13 (libvirt 11.3) hosts', () => {
  it('lab status: each host runs its own libvirtd, of its release', async () => {
    const r = await cli(['lab', 'status', '--dir', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const hosts = JSON.parse(r.stdout).hosts as Array<{ name: string; os: string; libvirt?: Record<string, string> }>;
    expect(hosts.map((h) => [h.name, h.os, h.libvirt?.libvirtd, h.libvirt?.version])).toEqual([
      ['node-a', 'debian-12+libvirt', 'running', '9.0.0'],
      ['node-b', 'debian-13+libvirt', 'running', expect.stringMatching(/^11\.3\.\d+$/)],
    ]);
  });

  it('driver: libvirt — host-os on both, a boot on each host, a migration each way; nothing left', async () => {
    const out = join(root, 'out');
    const plan = planFile('plan', {
      name: 'libvirt-path',
      suites: ['host-os', 'guest-images', 'live-migration'],
      driver: 'libvirt',
      accel: 'tcg',
      images: ['tiny'],
      cpuModels: ['qemu64'],
      // The machine type both QEMUs have (7.2 cannot start 10.0's); the CPU model: the pool baseline.
      migration: {
        pairs: [
          ['node-a', 'node-b'],
          ['node-b', 'node-a'],
        ],
        machine: 'pc-q35-7.2',
      },
    });
    const t0 = performance.now();
    const r = await runCli(['run', '--lab', state.labYaml, '--plan', plan, '--out', out]);
    process.stderr.write(`libvirt-lab: hwqual run in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    const res = results(out);
    expect(junitValidates(join(out, 'junit.xml')).ok).toBe(true);

    // 1. host-os on both: libvirt's version, its default domain type qemu (no /dev/kvm in the host), usable models.
    const facts = (h: string) => res.hosts.find((x) => x.name === h)!.facts;
    expect(facts('node-a').libvirt?.version).toBe('9.0.0');
    expect(facts('node-b').libvirt?.version).toMatch(/^11\.3\.\d+$/);
    for (const h of ['node-a', 'node-b']) {
      expect(caseOf(res, `host-os/libvirt-domcapabilities@${h}`).status).toBe('passed');
      const caps = facts(h).extra?.['libvirt.domcapabilities'] as { domainType: string; usableModels: string[] };
      expect(caps.domainType).toBe('qemu');
      expect(caps.usableModels).toContain('Westmere');
    }

    // 2. guest-images boots on each host through libvirt; the domain XML it was started from is an artifact.
    for (const h of ['node-a', 'node-b']) {
      const boot = caseOf(res, `guest-images/boot[image=tiny,cpuModel=qemu64]@${h}`);
      expect([boot.status, boot.message]).toEqual(['passed', undefined]);
      const xml = boot.artifacts.find((a) => a.name === 'domain.xml');
      expect(xml).toBeDefined();
      expect(readFileSync(join(out, xml!.path), 'utf8')).toMatch(
        /<domain type='qemu'>[\s\S]*<model fallback='forbid'>qemu64</,
      );
    }

    // 3. 12→13 and 13→12 with Nova's flags, integrity, heartbeat and figures, on the pool's model in libvirt's name.
    for (const [from, to] of [
      ['node-a', 'node-b'],
      ['node-b', 'node-a'],
    ]) {
      const c = caseOf(res, `live-migration/migrate[from=${from},to=${to},strategy=precopy]@${from}`);
      expect([c.status, c.message]).toEqual(['passed', undefined]);
      const mig = c.artifacts.find((a) => a.name === 'migration.json')!;
      const run = JSON.parse(readFileSync(join(out, mig.path), 'utf8')) as {
        cpuModel: { model: string };
        hops: HopReport[];
      };
      const hop = run.hops[0]!;
      // hwqual's TCG pool baseline in QEMU's name (the pool's vendor's richest model: Westmere-v1 on an Intel machine,
      // Opteron_G2-v1 on an AMD one), and the name libvirt 9.0 and 11.3 both accept for it (the -v1 alias dropped).
      expect(run.cpuModel.model).toMatch(/-v1$/);
      expect(hop.libvirt).toMatchObject({
        cpuModel: { libvirt: run.cpuModel.model.replace(/-v1$/, '') },
        machine: 'pc-q35-7.2',
        exit: 0,
        novaFlags: ['--live', '--p2p', '--persistent', '--undefinesource'],
        command: expect.arrayContaining(['--migrateuri', `tcp://${state.hosts.find((h) => h.name === to)!.address}`]),
      });
      expect(hop.checks.filter((k) => !k.ok)).toEqual([]);
      expect(hop.checks.map((k) => k.name)).toEqual(
        expect.arrayContaining(['integrity check passes', 'heartbeat continues', `guest runs on ${to}`]),
      );
      expect(hop.metrics.totalMs).toBeGreaterThan(0);
      expect(hop.metrics.downtimeMs).toBeGreaterThanOrEqual(0);
      expect(hop.metrics.blackoutMs).toBeGreaterThan(0);
      expect(hop.samples.some((s) => s.status === 'active')).toBe(true); // domjobinfo was sampled
      expect(hop.nova?.executed?.outcome).toBe('completed');
      expect(hop.nova?.predicted.outcome).toBe('completed');
      process.stderr.write(
        `libvirt-lab: ${from} → ${to}: total ${hop.metrics.totalMs} ms, downtime ${hop.metrics.downtimeMs} ms, ` +
          `blackout ${hop.metrics.blackoutMs} ms, ${hop.metrics.passes} passes\n`,
      );
    }
    expect(r.code, r.stderr.slice(-2000)).not.toBe(2);
    // 5. after a passing run: no hwqual domain defined anywhere, no QEMU in either host.
    expect(leftOnLab(state)).toEqual([]);
  }, 400_000);

  it('SIGINT in the middle of a libvirt migration: exit 130, reports written, no domain and no QEMU left', async () => {
    const out = join(root, 'out-sigint');
    const plan = planFile('sigint', inFlightMigrationPlan('libvirt-sigint'));
    const run = runCli(['run', '--lab', state.labYaml, '--plan', plan, '--out', out]);
    await untilMigrationInFlight(state);
    run.kill('SIGINT');
    const r = await run;
    expect(r.code, r.stderr.slice(-2000)).toBe(130);
    const res = results(out);
    expect(res.run.interrupted).toBe(true);
    // The migration in flight, and the machine-refusal case (QEMU 7.2 vs 10.0) that never started.
    expect(res.cases.map((c) => [c.id.replace(/\[.*/, ''), c.status])).toEqual([
      ['live-migration/migrate', 'cancelled'],
      ['live-migration/machine-refusal', 'cancelled'],
    ]);
    await waitFor(() => leftOnLab(state).length === 0, 20_000, 'nothing left after SIGINT');
  }, 300_000);

  it('exit 2 with why: unknown driver, a key libvirt has no place for, --libvirt on a machine root', async () => {
    const bad = planFile('bad-driver', { name: 'p', suites: ['guest-images'], driver: 'xen' });
    const r1 = await cli(['validate', '--lab', state.labYaml, '--plan', bad]);
    expect([r1.code, r1.stderr]).toEqual([
      2,
      expect.stringMatching(/bad-driver\.yaml: \/driver must be one of qemu, libvirt/),
    ]);
    const unmappable = planFile('unmappable', {
      name: 'p',
      suites: ['live-migration'],
      driver: 'libvirt',
      migration: { strategies: ['auto-converge'], 'max-cpu-throttle': 80 },
    });
    const r2 = await cli(['validate', '--lab', state.labYaml, '--plan', unmappable]);
    expect([r2.code, r2.stderr]).toEqual([
      2,
      expect.stringMatching(
        /\/migration\/max-cpu-throttle has no equivalent on driver libvirt: virsh migrate has no flag/,
      ),
    ]);
    const other = join(root, 'other');
    const r3 = await cli(['lab', 'up', '--hosts', '2', '--os', 'node-a=debian-12', '--libvirt', '--dir', other]);
    expect([r3.code, r3.stderr]).toEqual([
      2,
      expect.stringMatching(/--libvirt: node-b runs the machine's root; a libvirtd needs its own/),
    ]);
  });
  it("a host whose libvirtd does not answer: its VM cases are errors in virsh's words, never skipped", async () => {
    const a = state.hosts.find((h) => h.name === 'node-a')!;
    process.kill(a.libvirt!.libvirtd!.pid, 'SIGTERM'); // the last test of the file: the lab goes down after it
    await waitFor(() => !isAlive(a.libvirt!.libvirtd!), 10_000, 'libvirtd of node-a gone');
    const out = join(root, 'out-nolibvirtd');
    const plan = planFile('nolibvirtd', {
      name: 'no-libvirtd',
      suites: ['guest-images'],
      hosts: { names: ['node-a'] },
      driver: 'libvirt',
      accel: 'tcg',
      images: ['tiny'],
      cpuModels: ['max', 'qemu64'],
    });
    const r = await runCli(['run', '--lab', state.labYaml, '--plan', plan, '--out', out]);
    expect(r.code).toBe(1);
    const cases = results(out).cases;
    expect(cases.map((c) => c.status)).toEqual(['error', 'error']);
    for (const c of cases) expect(c.message).toMatch(/driver libvirt: .*(Failed to connect|failed to connect)/i);
    expect(qemuIn(state, 'node-a')).toEqual([]); // (virsh list itself needs the libvirtd that is gone)
  }, 120_000);
});
