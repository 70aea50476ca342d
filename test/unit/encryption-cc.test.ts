// Confidential-computing detection on real captures: CPUID of an EPYC 7713 (Milan), /proc/cpuinfo of an EPYC 9654
// (Genoa) and a Xeon 8480+ (Sapphire Rapids), libvirt's QMP conversations with QEMU on an EPYC 9654 with SEV and on
// a Ryzen 3900X (replayed through the QMP replay), libvirt domcapabilities from a TDX host, and this machine.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  combine,
  detectCcFeatures,
  dmesgEvidence,
  missingCcFeatures,
  type CcFact,
  type CcFeature,
} from '../../src/probe/cc-features.ts';
import { parseCpuidXml } from '../../src/probe/cpuid-xml.ts';
import { parseCpuinfo } from '../../src/probe/cpuinfo.ts';
import { askQemuCc } from '../../suites/encryption/qmp-probe.ts';
import { PROJECT_ROOT, REAL_HOSTS } from '../support/paths.ts';
import { assembledProfile } from './encryption-replay-support.ts';

const real = (p: string) => readFileSync(resolve(REAL_HOSTS, p), 'utf8');
const state = (facts: CcFact[], f: CcFeature) => facts.find((x) => x.feature === f)!.state;
const states = (facts: CcFact[]) => Object.fromEntries(facts.map((f) => [f.feature, f.state]));

describe('CC features from CPU flags', () => {
  it('AMD EPYC 7713 (Milan) CPUID: SME, SEV, SEV-ES and SEV-SNP capable; no TME, no SGX', () => {
    const flags = parseCpuidXml(real('amd-milan/cpuid-libvirt.xml')).flags!;
    const facts = detectCcFeatures({ cpuidFlags: flags });
    expect(states(facts)).toEqual({
      sme: 'capable',
      sev: 'capable',
      'sev-es': 'capable',
      'sev-snp': 'capable',
      tme: 'absent',
      tdx: 'unknown',
      sgx: 'absent',
    });
    expect(facts.find((f) => f.feature === 'sev-snp')!.evidence).toEqual([
      {
        source: 'cpuid',
        signal: 'capable',
        detail: 'CPUID reports sev_snp (capability, whatever the firmware enabled)',
      },
    ]);
  });

  it('AMD EPYC 9654 (Genoa) /proc/cpuinfo: sme, sev, sev_es shown; its (RHEL 8) kernel names no sev_snp', () => {
    const facts = detectCcFeatures({ cpuinfoFlags: parseCpuinfo(real('amd-genoa/cpuinfo.txt')).flags });
    expect(states(facts)).toMatchObject({
      sme: 'capable',
      sev: 'capable',
      'sev-es': 'capable',
      'sev-snp': 'absent',
      tme: 'absent',
      sgx: 'absent',
    });
  });

  it('Xeon 8480+ (Sapphire Rapids) /proc/cpuinfo: TME capable, no AMD features; TDX cannot be told from flags', () => {
    const facts = detectCcFeatures({ cpuinfoFlags: parseCpuinfo(real('intel-sapphire-rapids/cpuinfo.txt')).flags });
    expect(states(facts)).toMatchObject({ tme: 'capable', sev: 'absent', sme: 'absent', tdx: 'unknown' });
  });

  it('this machine: none of them, and QEMU under TCG cannot say what KVM could do', () => {
    const flags = parseCpuinfo(
      readFileSync(resolve(PROJECT_ROOT, 'test/fixtures/this-machine/cpuinfo.txt'), 'utf8'),
    ).flags;
    const facts = detectCcFeatures({
      cpuinfoFlags: flags,
      qmp: {
        kvm: false,
        sevCapabilities: { error: { class: 'GenericError', desc: 'KVM not enabled' } },
        sgxCapabilities: { error: { class: 'GenericError', desc: 'SGX is not enabled in KVM' } },
      },
    });
    expect(states(facts)).toEqual({
      sme: 'absent',
      sev: 'absent',
      'sev-es': 'absent',
      'sev-snp': 'absent',
      tme: 'absent',
      tdx: 'unknown',
      sgx: 'absent',
    });
    expect(facts.find((f) => f.feature === 'sev')!.evidence[1]).toMatchObject({
      source: 'qmp',
      signal: 'inconclusive',
      detail: expect.stringContaining('KVM not enabled (QEMU ran under TCG'),
    });
  });
});

describe('CC features from QEMU (QMP replay of real conversations)', () => {
  it('EPYC 9654, SEV on, QEMU 9.2: query-sev-capabilities answers (cbitpos 51): SEV enabled; SGX is not', async () => {
    const transport = await assembledProfile('qmp-epyc-9654-sev-qemu-9.2');
    const q = await askQemuCc(transport);
    expect(q).toMatchObject({
      mode: 'replayed',
      kvm: true,
      sevCapabilities: { return: { cbitpos: 51, 'reduced-phys-bits': 1 } },
    });
    expect(q.sgxCapabilities).toEqual({
      error: { class: 'GenericError', desc: "Could not open '/dev/sgx_vepc': No such file or directory" },
    });
    const facts = detectCcFeatures({ qmp: q });
    expect(state(facts, 'sev')).toBe('enabled');
    expect(facts.find((f) => f.feature === 'sev')!.evidence[0].detail).toBe(
      'QMP query-sev-capabilities: QEMU can launch SEV guests (cbitpos 51, reduced-phys-bits 1)',
    );
    expect(state(facts, 'sgx')).toBe('unavailable');
    expect(missingCcFeatures(facts, ['sev'])).toEqual([]);
    expect(missingCcFeatures(facts, ['sev', 'tdx', 'sev-snp2'])).toEqual([
      { feature: 'tdx', state: 'unknown' },
      { feature: 'sev-snp2', state: 'not a known feature' },
    ]);
  });

  it('Ryzen 9 3900X, QEMU 7.2 under KVM: no /dev/sev, SGX not in KVM: both unavailable', async () => {
    const q = await askQemuCc(await assembledProfile('qmp-ryzen-3900x-qemu-7.2'));
    expect(q.kvm).toBe(true);
    const facts = detectCcFeatures({ qmp: q });
    expect(state(facts, 'sev')).toBe('unavailable');
    expect(facts.find((f) => f.feature === 'sev')!.evidence[0].detail).toBe(
      'QMP query-sev-capabilities: SEV: Failed to open /dev/sev: No such file or directory',
    );
    expect(state(facts, 'sgx')).toBe('unavailable');
  });
});

describe('CC features from libvirt, kvm parameters and dmesg', () => {
  it('libvirt domcapabilities of a TDX host (QEMU 10.1 on Granite Rapids): TDX and SGX enabled, no SEV', () => {
    const facts = detectCcFeatures({
      domcapsXml: real('intel-granite-rapids/virsh-domcapabilities-tdx-libvirt-test.xml'),
    });
    expect(states(facts)).toMatchObject({ tdx: 'enabled', sgx: 'enabled', sev: 'unavailable', 'sev-snp': 'unknown' });
    expect(facts.find((f) => f.feature === 'tdx')!.evidence.map((e) => e.detail)).toEqual([
      "virsh domcapabilities: <tdx supported='yes'>",
      'virsh domcapabilities: <launchSecurity> sectype tdx',
    ]);
  });

  it('kvm_amd parameters: Y / 1 enabled, N / 0 unavailable; kvm_intel.tdx', () => {
    const facts = detectCcFeatures({
      kvmAmdParams: { sev: 'Y', sev_es: '1', sev_snp: 'N', npt: 'Y' },
      kvmIntelParams: { tdx: 'Y' },
    });
    expect(states(facts)).toMatchObject({
      sev: 'enabled',
      'sev-es': 'enabled',
      'sev-snp': 'unavailable',
      tdx: 'enabled',
      sme: 'unknown',
    });
  });

  // Lines in the formats of the kernel's own pr_info() calls (arch/x86/kvm/svm/sev.c, arch/x86/mm/mem_encrypt.c,
  // arch/x86/virt/vmx/tdx/tdx.c, arch/x86/kernel/cpu/intel.c), old and new wordings.
  it('dmesg: kvm_amd, memory encryption, TDX module and TME lines', () => {
    const dmesg = [
      '[    0.000000] Memory Encryption Features active: AMD SME',
      '[    7.123456] kvm_amd: SEV enabled (ASIDs 100 - 1006)',
      '[    7.123460] kvm_amd: SEV-ES enabled (ASIDs 1 - 99)',
      '[    7.123461] kvm_amd: SEV-SNP unusable (ASIDs 0 - 0)',
      '[    2.000000] SVM: SEV-ES supported: 0 ASIDs',
      '[    0.000000] x86/tme: not enabled by BIOS',
      '[   12.000000] virt/tdx: TDX-Module initialized',
      '[    1.000000] usb 1-1: new high-speed USB device',
    ].join('\n');
    expect(dmesgEvidence(dmesg).map(([f, s]) => `${f}=${s}`)).toEqual([
      'sme=enabled',
      'sev=enabled',
      'sev-es=enabled',
      'sev-snp=unavailable',
      'sev-es=unavailable',
      'tme=unavailable',
      'tdx=enabled',
    ]);
    const facts = detectCcFeatures({ dmesg, cpuinfoFlags: ['sme', 'sev', 'sev_es', 'sev_snp'] });
    // A source saying "unusable" outweighs a capable flag; two dmesg generations disagreeing on SEV-ES → unavailable;
    // TME "not enabled by BIOS" on a CPU whose flags lack tme → absent.
    expect(states(facts)).toMatchObject({
      sme: 'enabled',
      sev: 'enabled',
      'sev-es': 'unavailable',
      'sev-snp': 'unavailable',
      tme: 'absent',
      tdx: 'enabled',
    });
  });

  it('combine: unavailable beats enabled; unavailable without the CPU flag is absent; nothing read is unknown', () => {
    expect(
      combine([
        { source: 'dmesg', signal: 'enabled', detail: '' },
        { source: 'kvm-param', signal: 'unavailable', detail: '' },
      ]),
    ).toBe('unavailable');
    expect(
      combine([
        { source: 'cpuinfo', signal: 'absent', detail: '' },
        { source: 'qmp', signal: 'unavailable', detail: '' },
      ]),
    ).toBe('absent');
    expect(combine([{ source: 'qmp', signal: 'inconclusive', detail: '' }])).toBe('unknown');
    expect(combine([])).toBe('unknown');
  });
});
