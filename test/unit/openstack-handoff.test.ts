// hwqual openstack: the Nova configuration of a qualified run's pools, offline. On a real run of the libvirt lab
// (fixtures/openstack/lab-run-results.json: host-os + cpu-features pool-baseline with driver libvirt on debian-12 /
// debian-13 hosts; its verdict is `incomplete` as recorded, and set to `qualified` here where a test needs a sign-off)
// and on replayed real hosts (amd-genoa, amd-rome, the SEV EPYC 9654) whose pool fact uses the libvirt expansions
// recorded on the lab (fixtures/openstack/libvirt-expansions.json, libvirt 9.0.0).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/model/result.ts';
import {
  buildHandoff,
  cpuFeaturesToTraits,
  handoffMarkdown,
  NOVA_CPU_TRAITS,
  novaConf,
  refusal,
} from '../../src/openstack/index.ts';
import { hwqualInProcess } from '../support/main.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { runReplayed } from '../support/replay-run.ts';
import { tempDir } from '../support/temp-dir.ts';

const fixture = (f: string) => join(PROJECT_ROOT, 'fixtures/openstack', f);
const labRun = () => JSON.parse(readFileSync(fixture('lab-run-results.json'), 'utf8')) as RunResults;
const qualified = (r: RunResults): RunResults => ({
  ...r,
  signoff: { ...r.signoff!, verdict: 'qualified', exitCode: 0, reasons: [] },
});
const libvirt90 = (model: string): string[] =>
  JSON.parse(readFileSync(fixture('libvirt-expansions.json'), 'utf8')).expansions['node-a (debian-12, libvirt 9.0.0)'][
    model
  ];

/** Replayed real hosts with their facts (cc states from encryption's case), and a pool fact on the first. */
async function replayedPool(
  hosts: Record<string, string>,
  pool: { model: string; libvirt: string; extraFeatures?: string[] },
): Promise<RunResults> {
  const { results } = await runReplayed(hosts, {
    suites: ['encryption'],
    grep: /confidential-computing/,
    // The pool fact is planted below, so the cpu facts cpu-features would have gathered are asked for here.
    facts: 'all',
  });
  const names = Object.keys(hosts);
  results.hosts[0]!.facts.extra = {
    ...results.hosts[0]!.facts.extra,
    'cpuPool.amd': {
      hosts: names,
      model: pool.model,
      extraFeatures: pool.extraFeatures ?? [],
      machineType: 'pc-q35-7.2',
      libvirt: {
        qemu: pool.model,
        libvirt: pool.libvirt,
        features: Object.fromEntries(names.map((h) => [h, libvirt90(pool.libvirt)])),
      },
    },
  };
  return qualified(results);
}

describe('hwqual openstack: the Nova side of a qualified pool', () => {
  it("a lab run: cpu_models in libvirt's name, the pool's machine type, traits from libvirt's expansion", () => {
    const h = buildHandoff(qualified(labRun()));
    expect(h.pools).toHaveLength(1);
    const p = h.pools[0]!;
    const fact = labRun().hosts[0]!.facts.extra!['cpuPool.amd'] as {
      model: string;
      libvirt: { libvirt: string; features: Record<string, string[]> };
    };
    expect(p.cpuModels).toEqual([{ libvirt: fact.libvirt.libvirt, qemu: fact.model }]);
    expect(p.cpuModels[0]!.libvirt).not.toMatch(/-v\d+$/); // libvirt 9.0 knows no versioned names
    expect(p.machineType).toBe('pc-q35-7.2');
    // TCG's `max` gives every host features beyond the model: those Nova has a trait for become extra flags.
    expect(p.extraFlags.length).toBeGreaterThan(0);
    for (const f of p.extraFlags) expect(NOVA_CPU_TRAITS.map(([x]) => x)).toContain(f);
    for (const host of ['node-a', 'node-b'])
      expect(p.traits[host]).toEqual(cpuFeaturesToTraits([...fact.libvirt.features[host]!, ...p.extraFlags]));
    expect(p.flavors).toEqual([]); // every guest has the extra flags; no trait-requiring flavor (it would not spawn)
    expect(p.traits['node-a']).toEqual(expect.arrayContaining(['HW_CPU_X86_SSE2', 'HW_CPU_X86_MMX']));
    const conf = novaConf(h, p);
    expect(conf).toContain('[libvirt]\n');
    expect(conf).toMatch(/^virt_type = kvm$/m);
    expect(conf).toMatch(/^cpu_mode = custom$/m);
    expect(conf).toMatch(new RegExp(`^cpu_models = ${fact.libvirt.libvirt}$`, 'm'));
    expect(conf).toMatch(/^hw_machine_type = x86_64=pc-q35-7\.2$/m);
    expect(conf).toContain(`# plan sha256 ${labRun().run.planSha256}`);
    expect(conf).toContain('cpu-features/pool-baseline[pool=amd]@node-a');
    expect(conf).toMatch(new RegExp(`^cpu_model_extra_flags = ${p.extraFlags.join(', ')}$`, 'm'));
  });

  it("a feature only emulated on some host (TCG's max, not its CPU): no extra flag, not offered, named", () => {
    const r = qualified(labRun());
    const nodeB = r.hosts.find((h) => h.name === 'node-b')!;
    const before = buildHandoff(r).pools[0]!;
    expect(before.extraFlags).toContain('aes');
    nodeB.facts.cpu!.flags = nodeB.facts.cpu!.flags!.filter((f) => f !== 'aes');
    const p = buildHandoff(r).pools[0]!;
    expect(p.extraFlags).not.toContain('aes');
    expect(p.extraFlags).toEqual(before.extraFlags.filter((f) => f !== 'aes'));
    expect(p.notOffered).toContainEqual({ feature: 'aes', trait: 'HW_CPU_X86_AESNI', lackedBy: ['node-b'] });
    expect(p.flavors.map((f) => f.feature)).not.toContain('aes');
    for (const t of Object.values(p.traits)) expect(t).not.toContain('HW_CPU_X86_AESNI');
  });

  it('a richer model libvirt found incompatible with a host CPU is named in the fragment and handoff.md', () => {
    const r = qualified(labRun());
    const fact = r.hosts[0]!.facts.extra!['cpuPool.amd'] as { libvirt: Record<string, unknown> };
    fact.libvirt.refusedByHostCpu = [
      { qemu: 'Opteron_G3-v1', libvirt: 'Opteron_G3', hosts: { 'node-a': 'CPU described in c.xml is incompatible' } },
    ];
    const h = buildHandoff(r);
    expect(h.pools[0]!.refusedModels).toEqual([
      { libvirt: 'Opteron_G3', hosts: { 'node-a': 'CPU described in c.xml is incompatible' } },
    ]);
    expect(novaConf(h, h.pools[0]!)).toContain(
      '# not Opteron_G3: incompatible with the CPU of node-a (virsh cpu-compare)',
    );
    expect(handoffMarkdown(h)).toContain(
      'not `Opteron_G3` (richer): libvirt finds it incompatible with the CPU of node-a',
    );
  });

  it('Genoa + Naples: VAES is not offered, and handoff.md names the Naples host as lacking it', async () => {
    const r = await replayedPool(
      { 'amd-genoa': 'amd-genoa', 'amd-naples': 'amd-naples-epyc7301' },
      {
        model: 'EPYC-v1',
        libvirt: 'EPYC',
      },
    );
    const h = buildHandoff(r);
    const p = h.pools[0]!;
    expect(p.flavors).toEqual([]);
    expect(p.notOffered).toEqual(
      expect.arrayContaining([{ feature: 'vaes', trait: 'HW_CPU_X86_AVX512VAES', lackedBy: ['amd-naples'] }]),
    );
    expect(p.flagsUnknown).toBeUndefined();
    expect(p.traits['amd-genoa']).not.toContain('HW_CPU_X86_AVX512VAES');
    expect(handoffMarkdown(h)).toContain('- vaes (HW_CPU_X86_AVX512VAES): amd-naples lacks it');
  }, 120_000);

  it('a host whose CPU flags the run did not record is named apart, never taken as lacking a feature', async () => {
    const r = await replayedPool(
      { 'amd-genoa': 'amd-genoa', 'amd-rome': 'amd-rome' },
      { model: 'EPYC-Rome-v1', libvirt: 'EPYC-Rome' },
    );
    const p = buildHandoff(r).pools[0]!;
    expect(p.flagsUnknown).toEqual(['amd-rome']); // an lscpu-only public dump: no /proc/cpuinfo to replay
    expect(p.notOffered.filter((n) => n.lackedBy.includes('amd-rome'))).toEqual([]);
    expect(handoffMarkdown(buildHandoff(r))).toContain('The run recorded no CPU flags for amd-rome');
  }, 120_000);

  it('a feature every host has beyond the model: an extra flag in every guest, its trait, and no flavor', async () => {
    const r = await replayedPool(
      { 'genoa-1': 'amd-genoa', 'genoa-2': 'amd-genoa' },
      {
        model: 'EPYC-Rome-v1',
        libvirt: 'EPYC-Rome',
        extraFeatures: ['vaes', 'vpclmulqdq', 'la57'],
      },
    );
    const h = buildHandoff(r);
    const p = h.pools[0]!;
    expect(p.extraFlags).toEqual(['vaes', 'vpclmulqdq']); // la57: no Nova trait, so no flag is needed for it
    // Nova matches a flavor's required traits against cpu_models only: a flavor requiring VAES would fail to spawn.
    expect(p.flavors).toEqual([]);
    expect(handoffMarkdown(h)).toContain(
      'Every guest of the pool gets `EPYC-Rome` and the extra flags (vaes, vpclmulqdq)',
    );
    expect(handoffMarkdown(h)).toContain('No CPU model match traits');
    for (const host of ['genoa-1', 'genoa-2'])
      expect(p.traits[host]).toEqual(expect.arrayContaining(['HW_CPU_X86_AVX512VAES', 'HW_CPU_X86_AESNI']));
    expect(novaConf(h, p)).toMatch(/^cpu_model_extra_flags = vaes, vpclmulqdq$/m);
  }, 120_000);

  it('SEV is offered only when every host has it enabled (the EPYC 9654 profile)', async () => {
    const both = buildHandoff(
      await replayedPool(
        { 'sev-1': 'qmp-epyc-9654-sev-qemu-9.2', 'sev-2': 'qmp-epyc-9654-sev-qemu-9.2' },
        {
          model: 'EPYC-Rome-v1',
          libvirt: 'EPYC-Rome',
        },
      ),
    ).pools[0]!;
    expect(both.flavors).toEqual([
      {
        feature: 'sev',
        extraSpecs: { 'hw:mem_encryption': 'True' },
        imageProperties: { hw_machine_type: 'q35', hw_firmware_type: 'uefi' },
      },
    ]);
    expect(both.traits['sev-1']).toContain('HW_CPU_X86_AMD_SEV');
    const mixed = buildHandoff(
      await replayedPool(
        { 'sev-1': 'qmp-epyc-9654-sev-qemu-9.2', 'amd-rome': 'amd-rome' },
        {
          model: 'EPYC-Rome-v1',
          libvirt: 'EPYC-Rome',
        },
      ),
    ).pools[0]!;
    expect(mixed.flavors).toEqual([]);
    expect(mixed.notOffered).toContainEqual({ feature: 'sev', trait: 'HW_CPU_X86_AMD_SEV', lackedBy: ['amd-rome'] });
  }, 120_000);

  it('a run that is not a sign-off is refused with its exit code, naming the blocking cases', () => {
    const r = labRun();
    expect(refusal(r)).toMatchObject({ exitCode: 4, message: expect.stringMatching(/incomplete.*not a sign-off/) });
    r.signoff = { ...r.signoff!, verdict: 'not-qualified', exitCode: 1, reasons: ['1 failed'] };
    r.cases[0]!.status = 'failed';
    expect(refusal(r)).toMatchObject({ exitCode: 1, message: expect.stringContaining(r.cases[0]!.id) });
    expect(refusal(qualified(labRun()))).toBeUndefined();
  });
});

describe('hwqual openstack on the command line', () => {
  const dir = tempDir('hwqual-openstack-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const runDir = (name: string, r: RunResults | string) => {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'results.json'), typeof r === 'string' ? r : JSON.stringify(r));
    return d;
  };

  it('writes the fragment, handoff.json and handoff.md of a qualified run', async () => {
    const d = runDir('ok', qualified(labRun()));
    const r = await hwqualInProcess('openstack', d);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toMatch(/pool amd: cpu_models = \w+/);
    expect(readFileSync(join(d, 'openstack/nova-compute-amd.conf'), 'utf8')).toMatch(/^cpu_mode = custom$/m);
    expect(JSON.parse(readFileSync(join(d, 'openstack/handoff.json'), 'utf8')).pools[0].pool).toBe('amd');
    expect(existsSync(join(d, 'openstack/handoff.md'))).toBe(true);
  });

  it('bad input exits 2 and writes nothing; a not-qualified run exits 1 and writes nothing', async () => {
    const noPool = qualified(labRun());
    for (const h of noPool.hosts) h.facts.extra = {};
    const noLibvirt = qualified(labRun());
    delete (noLibvirt.hosts[0]!.facts.extra!['cpuPool.amd'] as { libvirt?: unknown }).libvirt;
    const notQualified = labRun();
    notQualified.signoff = { ...notQualified.signoff!, verdict: 'not-qualified', exitCode: 1, reasons: [] };
    notQualified.cases[0]!.status = 'failed';
    const cases: Array<[string, string[], number, RegExp]> = [
      ['missing', [join(dir, 'nothing-here')], 2, /results\.json: cannot read/],
      ['garbage', [runDir('garbage', '{ not json')], 2, /results\.json/],
      ['no pool', [runDir('nopool', noPool)], 2, /run cpu-features with settings\.cpuPool/],
      ['no libvirt', [runDir('nolibvirt', noLibvirt)], 2, /no libvirt model names.*driver libvirt/],
      ['unknown pool', [runDir('okpool', qualified(labRun())), '--pool', 'intel'], 2, /no pool intel.*pools: amd/],
      ['not qualified', [runDir('nq', notQualified)], 1, /not-qualified.*blocking cases: /],
    ];
    for (const [what, args, code, msg] of cases) {
      const r = await hwqualInProcess('openstack', ...args);
      expect([what, r.code], r.err).toEqual([what, code]);
      expect(r.err).toMatch(msg);
      expect(existsSync(join(args[0]!, 'openstack')), what).toBe(false);
    }
  });
});
