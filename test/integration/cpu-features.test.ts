// The cpu-features suite through the real runner: this machine and a lab-in-a-box host over SSH (QEMU 7.2, TCG),
// then replayed hosts (real KVM answers from fixtures/real-hosts, assembled into fixtures/hosts).
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab, normalizeLab } from '../../src/config/lab.ts';
import type { LabConfig, PlanConfig } from '../../src/config/types.ts';
import { labDown, labUp } from '../../src/lab/index.ts';
import type { RunResults } from '../../src/model/result.ts';
import { prepareRun } from '../../src/runner/prepare.ts';
import { executeRun } from '../../src/runner/run.ts';
import { ReplayTransport } from '../../src/transport/replay.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { tempDir } from '../support/temp-dir.ts';

const plan = (over: Partial<PlanConfig>): PlanConfig => ({
  file: '/tmp/plan.yaml',
  sha256: 'y'.repeat(64),
  name: 'cpu-test',
  suites: ['cpu-features'],
  hosts: {},
  severity: {},
  require: {},
  concurrency: 4,
  timeouts: { case: 240 },
  retries: 0,
  retryFailed: false,
  matrix: {},
  settings: { accel: 'tcg' },
  ...over,
});
const extra = (r: RunResults, host: string) => r.hosts.find((h) => h.name === host)!.facts.extra as Record<string, any>;
const byId = (r: RunResults, id: string) => {
  const c = r.cases.find((x) => x.id === id);
  if (!c) throw new Error(`no case ${id} among ${r.cases.map((x) => x.id).join(', ')}`);
  return c;
};

describe('cpu-features on this machine and a lab host (QEMU 7.2, TCG)', () => {
  let labDir: string;
  let lab: LabConfig;
  let labHost: string;
  let r: RunResults;
  beforeAll(async () => {
    labDir = tempDir('hwqual-cpu-lab-');
    const state = await labUp({ dir: labDir, hosts: 1 });
    const fromLab = loadLab(state.labYaml);
    const local = normalizeLab(
      { hosts: [{ name: 'local', address: 'local' }] },
      '/tmp/lab.yaml',
      'lab.yaml',
      'x'.repeat(64),
    ).hosts[0];
    lab = { ...fromLab, hosts: [local, ...fromLab.hosts] };
    labHost = fromLab.hosts[0].name;
    const p = plan({
      require: { cpuModels: ['qemu64', 'SapphireRapids'], machineTypes: ['pc-q35-7.2', 'pc-q35-10.0'] },
      matrix: { cpuModels: ['max,-aes'] },
    });
    // One guest boot is enough here: the guest view runs on this machine only, for `max,-aes`.
    const prepared = await prepareRun({
      lab,
      plan: p,
      filter: { grepInvert: new RegExp(`guest-view.*@${labHost}|cpuModel=max\\]`) },
    });
    r = await executeRun({
      lab,
      plan: p,
      prepared,
      outDir: tempDir('hwqual-cpu-out-'),
      signal: new AbortController().signal,
      progress: {},
    });
  }, 240_000);
  afterAll(async () => {
    if (labDir) await labDown(labDir);
  }, 60_000);

  it('detects the generation from the facts and records microcode and vulnerabilities beside it', () => {
    const modelName = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim();
    for (const h of ['local', labHost]) {
      expect(byId(r, `cpu-features/generation@${h}`).status).toBe('passed');
      const g = extra(r, h).cpuGeneration;
      expect(g.identity).toContain(modelName);
      // A VM says so (this machine is a KVM guest where this was written): the flags are the hypervisor's.
      const kind = r.hosts.find((x) => x.name === h)!.facts.virtualised?.kind;
      expect(kind).toBeDefined(); // a live x86 host always answers (at least its CPU flags say VM or not)
      if (kind !== 'none') {
        expect(g).toMatchObject({
          virtualised: kind,
          seenThrough: `as the ${kind} hypervisor exposes it: identity and flags`,
        });
        expect(byId(r, `cpu-features/generation@${h}`).assertions[0].name).toMatch(
          /\(as the \S+ hypervisor exposes it\)$/,
        );
      }
      expect(g).toHaveProperty('microcode');
      expect(typeof g.vulnerabilities).toBe('object');
    }
  });

  it('lists usable models per host; a required model or machine type this QEMU lacks fails naming it', () => {
    for (const h of ['local', labHost]) {
      const c = byId(r, `cpu-features/qemu-models@${h}`);
      expect(c.status).toBe('failed');
      expect(c.assertions.map((a) => [a.name, a.passed])).toEqual([
        ['machine type pc-q35-7.2', true],
        ['machine type pc-q35-10.0', false],
        ['model qemu64', true],
        ['model SapphireRapids', false],
      ]);
      // Every failed check, one per line: the machine type names the host and its QEMU version.
      expect(c.message).toMatch(
        new RegExp(
          `^pc-q35-10\\.0 is not offered by QEMU 7\\.2\\.\\d+ on ${h}\n` +
            'QEMU 7\\.2\\.\\d+ does not know CPU model SapphireRapids: it was added in QEMU 8\\.0$',
        ),
      );
      const f = extra(r, h).qemuCpuModels;
      expect(f).toMatchObject({
        accel: 'tcg',
        answers: 'live',
        machineTypes: { q35: 'pc-q35-7.2', i440fx: 'pc-i440fx-7.2' },
      });
      expect(f.usable).toContain('qemu64');
      expect(c.metrics.cpu_models_usable).toBe(f.usable.length);
    }
  });

  it("a guest under -cpu max,-aes shows the model's flags and not aes", () => {
    const c = byId(r, 'cpu-features/guest-view[cpuModel=max,-aes]@local');
    expect(c.status).toBe('passed');
    expect(c.assertions.find((a) => a.name === 'aes removed')).toMatchObject({ passed: true });
    expect(c.metrics.guest_flags).toBeGreaterThan(40);
    expect(byId(r, 'cpu-features/guest-view[cpuModel=host]@local')).toMatchObject({
      status: 'skipped',
      message: expect.stringMatching(/needs KVM/),
    });
  });

  it("the pool baseline asks both hosts' QEMUs (the lab host's over SSH), names a model and pc-q35-7.2", () => {
    // No cpuPool in the plan: one pool per CPU vendor; both hosts are this machine's CPU.
    const vendorId = /^vendor_id\s*:\s*(\S+)/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))![1];
    const vendor = ({ GenuineIntel: 'intel', AuthenticAMD: 'amd' } as Record<string, string>)[vendorId];
    const c = byId(r, `cpu-features/pool-baseline[pool=${vendor}]@local`);
    expect(c.status).toBe('passed');
    const pool = extra(r, 'local')[`cpuPool.${vendor}`];
    expect(pool.formed).toBe(`by CPU vendor (the plan names no cpuPool): vendor_id ${vendorId}`);
    expect(pool.hosts).toEqual(['local', labHost]);
    expect(pool).toMatchObject({ machineType: 'pc-q35-7.2', machineTypeI440fx: 'pc-i440fx-7.2', vendor });
    expect(pool.model).toBeTruthy();
    // Under TCG the extras are what `max` gives beyond the model on both hosts, and the recommendation carries them.
    expect(pool.extraFeatures.length).toBeGreaterThan(0);
    expect(pool.recommendation).toBe([pool.model, ...pool.extraFeatures.map((f: string) => `+${f}`)].join(','));
    expect(pool.expansionFrom).toMatch(/^(local|lab)\S*'s QEMU 7\.2/);
    expect(pool.rows.map((row: any) => row.qemuVersion)).toEqual([
      expect.stringMatching(/^7\.2/),
      expect.stringMatching(/^7\.2/),
    ]);
    expect(c.artifacts.map((a) => a.name).sort()).toEqual(['pool.json', 'pool.txt']);
  });

  it('leaves no probe QEMU behind', () => {
    expect(execSync("pgrep -f 'cpu-prob[e]-|hwqual-vms/cp[u]-' || true").toString().trim()).toBe('');
  });
});

describe('cpu-features on replayed hosts (real KVM answers)', () => {
  const H = resolve(PROJECT_ROOT, 'fixtures/hosts');
  const hosts: Array<[string, string]> = [
    ['sb', 'qmp-kvm-xeon-e5-2650'],
    ['bw', 'qmp-kvm-xeon-e5-2630-v4'],
    ['nh', 'qmp-kvm-xeon-e7540'],
    ['genoa', 'qmp-epyc-9654-sev-qemu-9.2'],
    ['zen2', 'qmp-ryzen-3900x-qemu-7.2'],
    ['n1', 'arm-graviton2-neoverse-n1'],
  ];
  let r: RunResults;
  beforeAll(async () => {
    const lab = normalizeLab(
      { hosts: hosts.map(([name]) => ({ name, address: `replay:${name}` })) },
      '/tmp/lab.yaml',
      'lab.yaml',
      'x'.repeat(64),
    );
    const bindings = await Promise.all(
      lab.hosts.map(async (config) => {
        const dir = join(H, hosts.find(([n]) => n === config.name)![1]);
        const transport = await ReplayTransport.open(dir, { host: config.name });
        return { config, transport, replay: { from: dir, origin: transport.origin } };
      }),
    );
    const p = plan({
      require: { cpuModels: ['SapphireRapids'] },
      settings: {
        accel: 'tcg',
        cpuPool: [
          { name: 'sb-bw', hosts: ['sb', 'bw'] },
          { name: 'nh-sb-bw', hosts: ['nh', 'sb', 'bw'] },
          { name: 'amd', hosts: ['genoa', 'zen2'] },
        ],
      },
    });
    const prepared = await prepareRun({ lab, plan: p, bindings });
    r = await executeRun({
      lab,
      plan: p,
      prepared,
      outDir: tempDir('hwqual-cpu-replay-'),
      signal: new AbortController().signal,
      progress: {},
    });
  }, 120_000);

  it("recognises each replayed host's generation (QMP-only hosts from QEMU's host model)", () => {
    const want = {
      sb: 'intel-sandy-bridge-ep',
      bw: 'intel-broadwell-ep',
      nh: 'intel-nehalem-ex',
      genoa: 'amd-genoa',
      zen2: 'amd-zen2-client',
      n1: 'arm-neoverse-n1',
    };
    for (const [h, id] of Object.entries(want)) {
      expect(byId(r, `cpu-features/generation@${h}`).status, h).toBe('passed');
      expect(extra(r, h).cpuGeneration.generation, h).toBe(id);
    }
    expect(extra(r, 'sb').cpuGeneration.identifiedFrom).toMatch(/host CPU model expansion under KVM/);
  });

  it('model usability comes from the recorded KVM answers; the Arm host without QMP is skipped, not guessed', () => {
    const genoa = byId(r, 'cpu-features/qemu-models@genoa');
    expect(genoa.status).toBe('failed');
    expect(genoa.message).toMatch(/^CPU model SapphireRapids is not usable under kvm on genoa: missing .*amx-tile/);
    expect(extra(r, 'genoa').qemuCpuModels).toMatchObject({
      qemu: '9.2.0',
      accel: 'kvm',
      answers: 'replayed',
      newestPerVendor: { amd: 'EPYC-Genoa-v1' },
    });
    expect(extra(r, 'sb').qemuCpuModels).toMatchObject({
      qemu: 'not recorded',
      machineTypes: 'not recorded',
      newestPerVendor: { intel: 'SandyBridge' },
    });
    expect(byId(r, 'cpu-features/qemu-models@sb').message).toMatch(
      /does not know CPU model SapphireRapids: it was added in QEMU 8\.0/,
    );
    expect(byId(r, 'cpu-features/qemu-models@n1')).toMatchObject({
      status: 'skipped',
      message: expect.stringMatching(/recorded no QMP conversation/),
    });
    expect(byId(r, 'cpu-features/guest-view[cpuModel=max]@sb')).toMatchObject({
      status: 'skipped',
      message: 'a replayed host cannot boot a guest',
    });
  });

  it('each pool is one case on its first host', () => {
    expect(
      r.cases
        .filter((c) => c.caseId === 'pool-baseline')
        .map((c) => c.id)
        .sort(),
    ).toEqual([
      'cpu-features/pool-baseline[pool=amd]@genoa',
      'cpu-features/pool-baseline[pool=nh-sb-bw]@sb',
      'cpu-features/pool-baseline[pool=sb-bw]@sb',
    ]);
  });

  it('old + new Intel pools: SandyBridge for Sandy Bridge-EP + Broadwell-EP, Nehalem when a Nehalem-EX joins', () => {
    const sbbw = extra(r, 'sb')['cpuPool.sb-bw'];
    expect(sbbw.model).toBe('SandyBridge');
    expect(sbbw.expansionFrom).toMatch(
      /^the controller's QEMU \S+ \(-machine none -accel tcg\), standing in for sb's QEMU \(version not recorded\)$/,
    );
    expect(sbbw.machineType).toBe('machine types: not recorded (sb, bw did not record query-machines)');
    expect(sbbw.rows.find((x: any) => x.host === 'bw')).toMatchObject({
      bestModel: 'Broadwell',
      lost: expect.arrayContaining(['avx2', 'fma', 'bmi2', 'adx']),
    });
    // A pool's case runs on its first host in run order: sb anchors both.
    expect(extra(r, 'sb')['cpuPool.nh-sb-bw'].model).toBe('Nehalem');
    expect(byId(r, 'cpu-features/pool-baseline[pool=nh-sb-bw]@sb').status).toBe('passed');
  });

  it('a Genoa on QEMU 9.2 with a Zen 2 on QEMU 7.2 migrates with EPYC-Rome-v1 on pc-q35-7.2', () => {
    const amd = extra(r, 'genoa')['cpuPool.amd'];
    expect(amd.machineType).toBe('pc-q35-7.2');
    // By hand: EPYC-Milan and later need Zen 3; the Zen 2 host's QEMU 7.2 reports EPYC-Rome-v2 unusable
    // (see cpu-pool-baseline.test.ts).
    expect(extra(r, 'zen2').qemuCpuModels.usable).not.toContain('EPYC-Rome-v2');
    expect(amd).toMatchObject({ vendor: 'amd', model: 'EPYC-Rome-v1', machineTypeI440fx: 'pc-i440fx-7.2' });
    // The controller's QEMU 7.2 has no EPYC-Genoa expansion: the Genoa's own best is the richest AMD model it can
    // describe, and EPYC-Genoa is named as not ranked rather than guessed.
    expect(amd.rows.find((x: any) => x.host === 'genoa')).toMatchObject({
      bestModel: expect.stringMatching(/^EPYC-(Milan|Rome)/),
      unranked: expect.arrayContaining(['EPYC-Genoa-v1']),
    });
  });
});
