import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CpuFacts } from '../../src/model/facts.ts';
import { loadCpuCatalog } from '../../src/probe/cpu-catalog-file.ts';
import {
  checkGeneration,
  detectGeneration,
  generationByQemuModel,
  parseCpuCatalog,
} from '../../src/probe/cpu-generation.ts';
import { parseCpuidXml } from '../../src/probe/cpuid-xml.ts';
import { parseCpuinfo } from '../../src/probe/cpuinfo.ts';
import { parseDomCapabilities } from '../../src/probe/domcaps.ts';
import { parseLscpuText } from '../../src/probe/lscpu.ts';
import { hostCpuFromExpansion } from '../../src/probe/qmp-cpu.ts';
import { splitJsonObjects } from '../../src/transport/replay-json-stream.ts';
import { commandOf, parseQmpLog } from '../../src/transport/replay-qmp-log.ts';
import { REAL_HOSTS } from '../support/paths.ts';

const catalog = loadCpuCatalog();
const read = (rel: string) => readFileSync(join(REAL_HOSTS, rel), 'utf8');

/** The `host` expansion in a qmp-kvm dump (concatenated replies) or a .replies conversation. */
function qmpHostCpu(rel: string): CpuFacts {
  const text = read(rel);
  const replies = rel.endsWith('.replies')
    ? parseQmpLog(text)[0]
        .exchanges.filter((x) => commandOf(x.request) === 'query-cpu-model-expansion')
        .map((x) => x.reply)
    : splitJsonObjects(text).map((t) => JSON.parse(t) as Record<string, unknown>);
  const model = replies
    .map((r) => (r.return as { model?: { name: string; props: Record<string, unknown> } })?.model)
    .find((m) => m?.props?.family !== undefined);
  return hostCpuFromExpansion(model!.props);
}

/**
 * Every capture in fixtures/real-hosts, the generation it is (worked out from SOURCES.md, not from the code), and how
 * to read it.
 */
const EXPECTED: Array<[string, string, (rel: string) => CpuFacts]> = [
  ['intel-skylake-sp/cpuinfo.txt', 'intel-skylake-sp', (r) => parseCpuinfo(read(r))],
  ['intel-cascade-lake/cpuinfo.txt', 'intel-cascade-lake-sp', (r) => parseCpuinfo(read(r))],
  ['intel-ice-lake-sp/cpuid-libvirt.xml', 'intel-ice-lake-sp', (r) => parseCpuidXml(read(r))],
  ['intel-sapphire-rapids/cpuinfo.txt', 'intel-sapphire-rapids', (r) => parseCpuinfo(read(r))],
  ['intel-emerald-rapids/cpuid-libvirt.xml', 'intel-emerald-rapids', (r) => parseCpuidXml(read(r))],
  ['intel-granite-rapids/cpuid-libvirt.xml', 'intel-granite-rapids', (r) => parseCpuidXml(read(r))],
  ['intel-sierra-forest/cpuid-libvirt.xml', 'intel-sierra-forest', (r) => parseCpuidXml(read(r))],
  ['amd-naples/cpuinfo.txt', 'amd-naples', (r) => parseCpuinfo(read(r))],
  ['amd-naples/cpuinfo-epyc7451.txt', 'amd-naples', (r) => parseCpuinfo(read(r))],
  ['amd-naples/lscpu-epyc7451-util-linux-expected.txt', 'amd-naples', (r) => parseLscpuText(read(r)).cpu],
  ['amd-rome/lscpu.txt', 'amd-rome', (r) => parseLscpuText(read(r)).cpu],
  ['amd-milan/cpuid-libvirt.xml', 'amd-milan', (r) => parseCpuidXml(read(r))],
  ['amd-genoa/cpuinfo.txt', 'amd-genoa', (r) => parseCpuinfo(read(r))],
  ['amd-bergamo/cpuinfo-vm-8vcpu.txt', 'amd-bergamo', (r) => parseCpuinfo(read(r))],
  ['amd-bergamo/cpuinfo-lxc-first-8-blocks.txt', 'amd-bergamo', (r) => parseCpuinfo(read(r))],
  ['arm-graviton2-neoverse-n1/cpuinfo.txt', 'arm-neoverse-n1', (r) => parseCpuinfo(read(r))],
  ['arm-graviton3-neoverse-v1/cpuinfo.txt', 'arm-neoverse-v1', (r) => parseCpuinfo(read(r))],
  ['arm-neoverse-v2/cpuinfo.txt', 'arm-neoverse-v2', (r) => parseCpuinfo(read(r))],
  ['arm-ampereone-ampere1a/cpuinfo.txt', 'arm-ampereone', (r) => parseCpuinfo(read(r))],
  ['qmp-kvm/EPYC-7502-32-Core.json', 'amd-rome', qmpHostCpu],
  ['qmp-kvm/Ryzen-9-3900X-12-Core.json', 'amd-zen2-client', qmpHostCpu],
  ['qmp-kvm/Core-i7-8700.json', 'intel-skylake-client', qmpHostCpu],
  ['qmp-kvm/Xeon-E3-1245-v5.json', 'intel-skylake-client', qmpHostCpu],
  ['qmp-kvm/Xeon-E5-2630-v4.json', 'intel-broadwell-ep', qmpHostCpu],
  ['qmp-kvm/Xeon-E5-2650.json', 'intel-sandy-bridge-ep', qmpHostCpu],
  ['qmp-kvm/Xeon-E7540.json', 'intel-nehalem-ex', qmpHostCpu],
  ['qmp-replies/epyc-9654-sev-qemu-9.2.replies', 'amd-genoa', qmpHostCpu],
  ['qmp-replies/ryzen-3900x-qemu-7.2.replies', 'amd-zen2-client', qmpHostCpu],
];

describe('CPU generation catalog', () => {
  it("every generation names its source, and the issue's generations are all there", () => {
    for (const g of catalog.generations) expect(g.source.length, g.id).toBeGreaterThan(20);
    const ids = catalog.generations.map((g) => g.id);
    for (const id of [
      'intel-skylake-sp',
      'intel-granite-rapids',
      'intel-sierra-forest',
      'amd-naples',
      'amd-turin',
      'arm-neoverse-n1',
      'arm-neoverse-v1',
      'arm-neoverse-v2',
      'arm-ampereone',
    ])
      expect(ids).toContain(id);
  });

  it.each(EXPECTED)('%s is recognised as %s', (rel, id, read) => {
    expect(detectGeneration(read(rel), catalog)?.id).toBe(id);
  });

  it('covers every file of fixtures/real-hosts that describes a CPU', async () => {
    const { readdirSync, statSync } = await import('node:fs');
    const all = readdirSync(REAL_HOSTS).flatMap((d) =>
      statSync(join(REAL_HOSTS, d)).isDirectory() ? readdirSync(join(REAL_HOSTS, d)).map((f) => `${d}/${f}`) : [],
    );
    // Not a CPU description: the vulnerabilities list (of the EPYC 7451 whose cpuinfo is above) and libvirt's
    // domcapabilities (below).
    const other = all.filter((f) => !EXPECTED.some(([rel]) => rel === f));
    expect(other.sort()).toEqual([
      'amd-naples/vulnerabilities-epyc7451.txt',
      'intel-granite-rapids/virsh-domcapabilities-tdx-libvirt-test.xml',
    ]);
  });

  it('a domcapabilities host-model names its generation through the QEMU model', () => {
    const caps = parseDomCapabilities(read('intel-granite-rapids/virsh-domcapabilities-tdx-libvirt-test.xml'));
    expect(generationByQemuModel(caps.hostModel!.name, catalog)?.id).toBe('intel-granite-rapids');
    expect(generationByQemuModel('SapphireRapids', catalog)).toBeUndefined(); // Sapphire and Emerald Rapids share it
  });

  it.each(EXPECTED.filter(([rel]) => !rel.startsWith('qmp-')))(
    '%s has the flags its generation requires',
    (rel, _id, read) => {
      const r = checkGeneration(read(rel), catalog);
      expect(r.missing).toEqual([]);
      expect(r.required.length).toBeGreaterThan(3);
    },
  );

  it('Skylake-SP, Cascade Lake and Cooper Lake share model 85 and differ by stepping', () => {
    const at = (stepping: number) =>
      detectGeneration({ vendor: 'GenuineIntel', family: 6, model: 85, stepping }, catalog)?.id;
    expect([at(4), at(7), at(11), at(8)]).toEqual([
      'intel-skylake-sp',
      'intel-cascade-lake-sp',
      'intel-cooper-lake',
      undefined,
    ]);
  });

  it('dense and cache variants are named by model number, name and stepping, as their vendors tell them apart', () => {
    // Identities as the vendors' tables give them (AMD revision guides via illumos' amd_revmap, AMD product names),
    // the real Bergamo captures above, and the Genoa capture's own id with a Genoa-X name.
    const amd = (family: number, model: number, stepping: number, modelName: string) =>
      detectGeneration({ vendor: 'AuthenticAMD', family, model, stepping, modelName }, catalog)?.id;
    expect([
      amd(25, 17, 1, 'AMD EPYC 9654 96-Core Processor'),
      amd(25, 17, 2, 'AMD EPYC 9684X 96-Core Processor'),
      amd(25, 160, 2, 'AMD EPYC 9754 128-Core Processor'),
      amd(25, 160, 2, 'AMD EPYC 9754S 128-Core Processor'),
      amd(25, 160, 2, 'AMD EPYC 8534P 64-Core Processor'),
      amd(25, 1, 2, 'AMD EPYC 7773X 64-Core Processor'),
      amd(25, 1, 1, 'AMD EPYC 7763 64-Core Processor'),
      amd(26, 2, 1, 'AMD EPYC 9755 128-Core Processor'),
      amd(26, 17, 0, 'AMD EPYC 9965 192-Core Processor'),
    ]).toEqual([
      'amd-genoa',
      'amd-genoa-x',
      'amd-bergamo',
      'amd-bergamo',
      'amd-siena',
      'amd-milan-x',
      'amd-milan',
      'amd-turin',
      'amd-turin-dense',
    ]);
    // Intel's E-core Xeon 6 (0xAF) beside the P-core one (0xAD): separate model numbers, separate generations.
    const intel = (model: number) =>
      detectGeneration({ vendor: 'GenuineIntel', family: 6, model, stepping: 3 }, catalog)?.id;
    expect([intel(0xaf), intel(0xad)]).toEqual(['intel-sierra-forest', 'intel-granite-rapids']);
  });

  it('only the family known: "variant not recognised", never the nearest generation', () => {
    // A dense-range part with a name no AMD table gives (e.g. a cloud-only SKU), and a Threadripper 7000 (19h/18h).
    for (const [model, name] of [
      [160, 'AMD EPYC 9R45 96-Core Processor'],
      [24, 'AMD Ryzen Threadripper PRO 7995WX 96-Cores'],
    ] as const) {
      const r = checkGeneration({ vendor: 'AuthenticAMD', family: 25, model, stepping: 1, modelName: name }, catalog);
      expect(r.generation).toBeUndefined();
      expect(r.unknownReason).toBe(
        `variant not recognised: AuthenticAMD family/model/stepping 25/${model}/1 (${name}) — the catalog knows ` +
          'family 19h (AMD EPYC 7003X (Milan-X, Zen 3 with 3D V-Cache), AMD EPYC 7003 (Milan, Zen 3), AMD EPYC ' +
          '9004X (Genoa-X, Zen 4 with 3D V-Cache), AMD EPYC 9004 (Genoa, Zen 4), AMD EPYC 97x4 (Bergamo, Zen 4c), ' +
          'AMD EPYC 8004 (Siena, Zen 4c)) but no entry matches this model, stepping and name; it does not guess ' +
          'the nearest',
      );
    }
    // A family the catalog does not know at all stays "not in the catalog".
    expect(
      checkGeneration({ vendor: 'HygonGenuine', family: 24, model: 0, stepping: 1, flags: [] }, catalog).unknownReason,
    ).toBe('not in the catalog: HygonGenuine family/model/stepping 24/0/1');
  });

  it('an unknown CPU is a reported fact with no missing flags; a plan flag is still checked', () => {
    const cpu: CpuFacts = {
      vendor: 'GenuineIntel',
      family: 6,
      model: 190,
      stepping: 0,
      modelName: 'Intel N100',
      flags: ['sse2', 'aes'],
    };
    expect(checkGeneration(cpu, catalog)).toEqual({
      unknownReason:
        'variant not recognised: GenuineIntel family/model/stepping 6/190/0 (Intel N100) — the catalog knows family ' +
        `06h (${catalog.generations.filter((g) => g.vendor === 'GenuineIntel').length} generations) but no entry ` +
        'matches this model, stepping and name; it does not guess the nearest',
      missing: [],
      required: [],
    });
    expect(checkGeneration(cpu, catalog, ['aes', 'avx2']).missing).toEqual(['avx2']);
  });

  it('a known CPU missing a required flag says which', () => {
    const flags = parseCpuinfo(read('intel-cascade-lake/cpuinfo.txt')).flags!.filter((f) => f !== 'avx512_vnni');
    const r = checkGeneration({ ...parseCpuinfo(read('intel-cascade-lake/cpuinfo.txt')), flags }, catalog, ['sha_ni']);
    expect(r.generation?.id).toBe('intel-cascade-lake-sp');
    expect(r.missing).toEqual(['avx512_vnni', 'sha_ni']);
  });

  it('refuses a broken catalog', () => {
    expect(() =>
      parseCpuCatalog({ generations: [{ id: 'x', vendor: 'v', match: {}, requiredFlags: [], source: 's' }] }),
    ).toThrow(/family\+models/);
    expect(() => parseCpuCatalog({ generations: [], qemuModels: {} })).not.toThrow();
    expect(() => parseCpuCatalog({})).toThrow(/generations must be a list/);
  });
});
