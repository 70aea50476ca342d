import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCpuCatalog } from '../../src/probe/cpu-catalog-file.ts';
import { computePoolBaseline, type Expansion, type PoolHost } from '../../src/probe/pool-baseline.ts';
import { machineTypes, parseCpuDefinitions, type CpuModelDef } from '../../src/probe/qmp-cpu.ts';
import { splitJsonObjects } from '../../src/transport/replay-json-stream.ts';
import { commandOf, parseQmpLog } from '../../src/transport/replay-qmp-log.ts';
import type { QmpCpuDefinition, QmpMachineInfo } from '../../src/model/qmp.ts';
import { REAL_HOSTS } from '../support/paths.ts';

const lines = loadCpuCatalog().qemuModels;
/** The real query-cpu-definitions answers KVM gave on these hosts (fixtures/real-hosts/qmp-kvm). */
const kvm = (file: string): CpuModelDef[] =>
  parseCpuDefinitions(
    splitJsonObjects(readFileSync(join(REAL_HOSTS, 'qmp-kvm', file), 'utf8'))
      .map((t) => JSON.parse(t))
      .find((r) => Array.isArray(r.return)).return as QmpCpuDefinition[],
  );
const conversation = (file: string) =>
  parseQmpLog(readFileSync(join(REAL_HOSTS, 'qmp-replies', file), 'utf8'))[0].exchanges;
const from = (file: string, cmd: string) => conversation(file).find((x) => commandOf(x.request) === cmd)!.reply.return;

const intel = { vendor: 'GenuineIntel' };
const sandyBridgeEP: PoolHost = { host: 'sb', definitions: kvm('Xeon-E5-2650.json'), cpu: intel };
const broadwellEP: PoolHost = { host: 'bw', definitions: kvm('Xeon-E5-2630-v4.json'), cpu: intel };
const nehalemEX: PoolHost = { host: 'nh', definitions: kvm('Xeon-E7540.json'), cpu: intel };

/** A few static expansions, written by hand for the test (small sets, enough to tell the models apart). */
const NEHALEM = ['popcnt', 'sse4.1', 'sse4.2', 'ssse3', 'x2apic'];
const SANDY = [...NEHALEM, 'aes', 'avx', 'pclmulqdq', 'tsc-deadline', 'xsave'].sort();
const BROADWELL = [
  ...SANDY,
  'adx',
  'avx2',
  'bmi1',
  'bmi2',
  'fma',
  'hle',
  'invpcid',
  'movbe',
  'rdseed',
  'rtm',
  'smap',
].sort();
const HAND: Record<string, string[]> = {
  Nehalem: NEHALEM,
  'Nehalem-IBRS': [...NEHALEM, 'spec-ctrl'].sort(),
  SandyBridge: SANDY,
  'SandyBridge-IBRS': [...SANDY, 'spec-ctrl'].sort(),
  Broadwell: BROADWELL,
  'Broadwell-noTSX': BROADWELL.filter((f) => f !== 'hle' && f !== 'rtm'),
};
const hand = (_host: string, model: string): Expansion | undefined =>
  HAND[model] ? { features: HAND[model], from: 'the test' } : undefined;

describe('pool baseline (answers worked out by hand from the real KVM definitions)', () => {
  it('Sandy Bridge-EP + Broadwell-EP → SandyBridge; the Broadwell host gives up its AVX2 generation', () => {
    // By hand: SandyBridge is the newest line both run (IvyBridge is unusable on the E5-2650, the -IBRS variants on the
    // E5-2630 v4).
    expect(sandyBridgeEP.definitions.find((d) => d.name === 'IvyBridge')!.usable).toBe(false);
    expect(broadwellEP.definitions.find((d) => d.name === 'SandyBridge-IBRS')!.usable).toBe(false);
    const b = computePoolBaseline([sandyBridgeEP, broadwellEP], hand, lines);
    expect(b.model).toBe('SandyBridge');
    // (The hand-typed expansions describe six models: the others each host can run are listed as not ranked.)
    expect(b.rows.map(({ unranked, ...row }) => row)).toEqual([
      {
        host: 'sb',
        qemuVersion: 'not recorded',
        usableModels: 20, // SOURCES.md counts 23 with host, max and base
        bestModel: 'SandyBridge-IBRS',
        lost: ['spec-ctrl'],
      },
      {
        host: 'bw',
        qemuVersion: 'not recorded',
        usableModels: 23, // 26 with host, max and base
        bestModel: 'Broadwell',
        lost: ['adx', 'avx2', 'bmi1', 'bmi2', 'fma', 'hle', 'invpcid', 'movbe', 'rdseed', 'rtm', 'smap'],
      },
    ]);
    expect(b.problems).toEqual([]);
  });

  it(
    'Nehalem-EX + Sandy Bridge-EP + Broadwell-EP → Nehalem, not ' +
      'core2duo (same 32 features in QEMU 7.2, older line)',
    () => {
      // QEMU 7.2.22's real static expansions (test/fixtures/qemu-expansions): core2duo has acpi, monitor and ss where
      // Nehalem has popcnt, sse4.1 and sse4.2 — neither contains the other, both have 32 features, and core2duo is
      // usable under KVM on all three hosts. The newer line breaks the tie (by name alone core2duo would win).
      const real = JSON.parse(
        readFileSync(join(REAL_HOSTS, '../../test/fixtures/qemu-expansions/qemu-7.2.22-static.json'), 'utf8'),
      ).expansions as Record<string, string[]>;
      const hosts = [nehalemEX, sandyBridgeEP, broadwellEP];
      expect(hosts.every((h) => h.definitions.find((d) => d.name === 'core2duo')?.usable)).toBe(true);
      expect([real.core2duo.length, real.Nehalem.length]).toEqual([32, 32]);
      const b = computePoolBaseline(
        hosts,
        (_h, m) => (real[m] ? { features: real[m], from: '7.2' } : undefined),
        lines,
      );
      expect(b.model).toBe('Nehalem');
      expect(b.rows.map((r) => [r.host, r.bestModel, r.lost])).toEqual([
        ['nh', 'Nehalem-IBRS', ['spec-ctrl']],
        [
          'sb',
          'SandyBridge-IBRS',
          ['aes', 'arat', 'avx', 'pclmulqdq', 'rdtscp', 'spec-ctrl', 'tsc-deadline', 'x2apic', 'xsave', 'xsaveopt'],
        ],
        ['bw', 'Broadwell', expect.arrayContaining(['avx2', 'fma', 'bmi2', 'adx', 'aes', 'avx', 'xsave'])],
      ]);
      expect(b.dominated).toEqual(expect.arrayContaining(['Conroe', 'Penryn', 'pentium3']));
    },
  );

  it('machine types: a QEMU 7.2 + 9.2 pool runs pc-q35-7.2; a host without query-machines gives "not recorded"', () => {
    const old: PoolHost = {
      host: 'old',
      qemuVersion: '7.2.0',
      definitions: [],
      machines: machineTypes(from('ryzen-3900x-qemu-7.2.replies', 'query-machines') as QmpMachineInfo[]),
    };
    const neu: PoolHost = {
      host: 'new',
      qemuVersion: '9.2.0',
      definitions: [],
      machines: machineTypes(from('epyc-9654-sev-qemu-9.2.replies', 'query-machines') as QmpMachineInfo[]),
    };
    const b = computePoolBaseline([old, neu], hand, lines);
    expect(b.machineType).toBe('pc-q35-7.2');
    expect(b.rows.map((r) => r.newestQ35)).toEqual(['pc-q35-7.2', 'pc-q35-9.2']);
    const c = computePoolBaseline([old, neu, { host: 'dump', definitions: [] }], hand, lines);
    expect(c.machineType).toBeUndefined();
    expect(c.machineNote).toBe('machine types: not recorded (dump did not record query-machines)');
  });

  it('models without an expansion cannot be compared: unranked, and the pool case reports missing data', () => {
    const b = computePoolBaseline([sandyBridgeEP], () => undefined, lines);
    expect(b.model).toBeUndefined();
    expect(b.unranked).toEqual(expect.arrayContaining(['SandyBridge', 'Nehalem']));
    expect(b.unranked).not.toContain('qemu64'); // QEMU's generic models only when no Intel model is usable
    expect(b.problems).toEqual([]);
    expect(b.missing).toEqual([expect.stringMatching(/^no static expansion describes the intel models every host/)]);
  });

  it('no model every host can run is a problem, named', () => {
    const only = (name: string): CpuModelDef[] => [{ name, usable: true, unavailable: [] }];
    const b = computePoolBaseline(
      [
        { host: 'a', definitions: only('Cascadelake-Server'), cpu: intel },
        { host: 'b', definitions: only('Skylake-Server'), cpu: intel },
      ],
      hand,
      lines,
    );
    expect(b.model).toBeUndefined();
    expect(b.problems).toEqual(['no named CPU model is usable on every host of the pool']);
    const other = computePoolBaseline([{ host: 'a', definitions: only('EPYC'), cpu: intel }], hand, lines);
    expect(other.problems).toEqual(['no intel CPU model is usable on every host of the pool (usable on all: EPYC)']);
  });
});

describe('same hardware, newer QEMU (host OS upgrade)', () => {
  const cpu = { vendor: 'AuthenticAMD', family: 23, model: 113, stepping: 0 };
  const defs72 = parseCpuDefinitions(
    from('ryzen-3900x-qemu-7.2.replies', 'query-cpu-definitions') as QmpCpuDefinition[],
  );
  // The newer QEMU as libvirt's qemu_9.1.0 test data shows it on another host: EPYC-Rome-v1 blocked by xsaves; EPYC-v1
  // dropped (for the test).
  const defsNew = defs72
    .filter((d) => d.name !== 'EPYC-v1')
    .map((d) => (d.name === 'EPYC-Rome-v1' ? { ...d, usable: false, unavailable: ['xsaves'] } : d));
  const old: PoolHost = { host: 'r-old', qemuVersion: '7.2.0', definitions: defs72, cpu };
  const neu: PoolHost = { host: 'r-new', qemuVersion: '9.1.0', definitions: defsNew, cpu };

  it('a model usable on the old QEMU and not on the new one names the blocking features', () => {
    expect(defs72.find((d) => d.name === 'EPYC-Rome-v1')!.usable).toBe(true);
    const b = computePoolBaseline([old, neu], hand, lines);
    expect(b.regressions).toEqual([
      { model: 'EPYC-Rome-v1', usableOn: 'r-old (QEMU 7.2.0)', unusableOn: 'r-new (QEMU 9.1.0)', blocking: ['xsaves'] },
      {
        model: 'EPYC-v1',
        usableOn: 'r-old (QEMU 7.2.0)',
        unusableOn: 'r-new (QEMU 9.1.0)',
        blocking: ['QEMU 9.1.0 no longer has EPYC-v1'],
      },
    ]);
  });

  it('no regression across different CPUs, nor from a newer QEMU back to an older one', () => {
    expect(computePoolBaseline([old, { ...neu, cpu: { ...cpu, model: 49 } }], hand, lines).regressions).toEqual([]);
    const reversed = computePoolBaseline(
      [
        { ...old, definitions: defsNew },
        { ...neu, definitions: defs72 },
      ],
      hand,
      lines,
    ).regressions;
    expect(reversed.map((r) => r.model)).not.toContain('EPYC-Rome-v1');
  });

  it('with a QEMU version not recorded, a difference is reported whichever side is newer', () => {
    const b = computePoolBaseline([{ ...old, qemuVersion: undefined }, neu], hand, lines);
    expect(b.regressions.map((r) => [r.model, r.unusableOn])).toEqual([['EPYC-Rome-v1', 'r-new (QEMU 9.1.0)']]);
  });
});
