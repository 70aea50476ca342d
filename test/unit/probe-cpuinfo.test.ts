import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCpuinfo } from '../../src/probe/cpuinfo.ts';
import { PROJECT_ROOT, REAL_HOSTS } from '../support/paths.ts';

const real = (f: string) => parseCpuinfo(readFileSync(resolve(REAL_HOSTS, f), 'utf8'));

describe('parseCpuinfo on real x86 hosts', () => {
  it('Skylake-SP Gold 6132 (tabs)', () => {
    const c = real('intel-skylake-sp/cpuinfo.txt');
    expect(c).toMatchObject({
      vendor: 'GenuineIntel',
      modelName: 'Intel(R) Xeon(R) Gold 6132 CPU @ 2.60GHz',
      family: 6,
      model: 85,
      stepping: 4,
      microcode: '0x200004d',
      coresPerSocket: 14,
      threadsPerCore: 1,
      threads: 1,
    });
    expect(c.flags).toHaveLength(125); // `grep ^flags | wc -w`
    expect(c.flags).toEqual(expect.arrayContaining(['vmx', 'ept', 'avx512f', 'aes', 'ssbd']));
    expect(c.bugs).toBeUndefined();
  });

  it('Cascade Lake 8260M (spaces instead of tabs, no trailing newline)', () => {
    const c = real('intel-cascade-lake/cpuinfo.txt');
    expect(c).toMatchObject({
      vendor: 'GenuineIntel',
      modelName: 'Intel(R) Xeon(R) Platinum 8260M CPU @ 2.40GHz',
      family: 6,
      model: 85,
      stepping: 7,
      microcode: '0x5000024',
      coresPerSocket: 24,
      threadsPerCore: 2,
    });
    expect(c.flags).toContain('avx512_vnni');
    expect(c.flags?.at(-1)).toBe('arch_capabilities');
  });

  it('Sapphire Rapids 8480+ (block for processor 2; vmx flags and bugs lines)', () => {
    const c = real('intel-sapphire-rapids/cpuinfo.txt');
    expect(c).toMatchObject({
      vendor: 'GenuineIntel',
      modelName: 'Intel(R) Xeon(R) Platinum 8480+',
      family: 6,
      model: 143,
      stepping: 6,
      microcode: '0x2b000181',
      coresPerSocket: 56,
      threadsPerCore: 2,
      threads: 1,
    });
    expect(c.flags).toEqual(expect.arrayContaining(['amx_tile', 'amx_int8', 'avx512_fp16', 'la57']));
    expect(c.flags).not.toContain('preemption_timer'); // a "vmx flags" entry, not a CPU flag
    expect(c.bugs).toEqual(['spectre_v1', 'spectre_v2', 'spec_store_bypass', 'swapgs', 'eibrs_pbrsb']);
  });

  it('AMD Naples 7301 and 7451, Genoa 9654', () => {
    expect(real('amd-naples/cpuinfo.txt')).toMatchObject({
      vendor: 'AuthenticAMD',
      modelName: 'AMD EPYC 7301 16-Core Processor',
      family: 23,
      model: 1,
      stepping: 2,
      coresPerSocket: 16,
      threadsPerCore: 2,
    });
    const n = real('amd-naples/cpuinfo-epyc7451.txt');
    expect(n).toMatchObject({
      modelName: 'AMD EPYC 7451 24-Core Processor',
      microcode: '0x8001227',
      coresPerSocket: 24,
      threadsPerCore: 2,
    });
    expect(n.bugs).toEqual(['sysret_ss_attrs', 'null_seg', 'spectre_v1', 'spectre_v2', 'spec_store_bypass']);
    const g = real('amd-genoa/cpuinfo.txt');
    expect(g).toMatchObject({
      vendor: 'AuthenticAMD',
      modelName: 'AMD EPYC 9654 96-Core Processor',
      family: 25,
      model: 17,
      stepping: 1,
      microcode: '0xa10110d',
      coresPerSocket: 96,
      threadsPerCore: 1,
    });
    expect(g.flags).toEqual(expect.arrayContaining(['svm', 'npt', 'sev', 'sev_es', 'avx512f']));
  });
});

describe('parseCpuinfo on real Arm hosts', () => {
  it('Graviton2 Neoverse N1', () => {
    const c = real('arm-graviton2-neoverse-n1/cpuinfo.txt');
    expect(c).toMatchObject({
      vendor: 'ARM',
      modelName: 'Neoverse-N1',
      threads: 1,
      arm: { implementer: '0x41', part: '0xd0c', variant: '0x3', revision: 1, architecture: 8 },
    });
    expect(c.flags).toEqual([
      'fp',
      'asimd',
      'evtstrm',
      'aes',
      'pmull',
      'sha1',
      'sha2',
      'crc32',
      'atomics',
      'fphp',
      'asimdhp',
      'cpuid',
      'asimdrdm',
      'lrcpc',
      'dcpop',
      'asimddp',
      'ssbs',
    ]);
    expect(c.family).toBeUndefined();
  });

  it('Graviton3 Neoverse V1 (tabs), Neoverse V2, AmpereOne', () => {
    const v1 = real('arm-graviton3-neoverse-v1/cpuinfo.txt');
    expect(v1).toMatchObject({ vendor: 'ARM', modelName: 'Neoverse-V1', arm: { part: '0xd40', variant: '0x1' } });
    expect(v1.flags).toEqual(expect.arrayContaining(['sve', 'paca', 'rng']));
    const v2 = real('arm-neoverse-v2/cpuinfo.txt');
    expect(v2).toMatchObject({ vendor: 'ARM', modelName: 'Neoverse-V2', arm: { part: '0xd4f' } });
    expect(v2.flags).toEqual(expect.arrayContaining(['sve2', 'sveaes', 'bf16']));
    expect(v2.flags).not.toContain('paca'); // removed upstream, see SOURCES.md
    const a = real('arm-ampereone-ampere1a/cpuinfo.txt');
    expect(a).toMatchObject({
      vendor: 'Ampere',
      modelName: 'Ampere-1a',
      arm: { implementer: '0xc0', part: '0xac4', revision: 0 },
    });
    expect(a.flags).toHaveLength(39);
  });
});

describe('parseCpuinfo on this machine', () => {
  it('counts both vCPUs and reads the flags of the first', () => {
    const c = parseCpuinfo(readFileSync(resolve(PROJECT_ROOT, 'test/fixtures/this-machine/cpuinfo.txt'), 'utf8'));
    expect(c).toMatchObject({
      vendor: 'AuthenticAMD',
      modelName: 'AMD EPYC',
      family: 26,
      model: 2,
      stepping: 1,
      threads: 2,
      sockets: 1,
      coresPerSocket: 2,
      threadsPerCore: 1,
    });
    expect(c.microcode).toBeUndefined(); // no microcode line in a microVM
    expect(c.flags).toEqual(expect.arrayContaining(['aes', 'vaes', 'avx512f', 'hypervisor']));
    expect(c.flags).not.toContain(''); // the run of spaces after "pti" makes no empty flag
  });

  it('gives nothing for text without processor blocks', () => {
    expect(parseCpuinfo('')).toEqual({});
    expect(parseCpuinfo('garbage\nno colon here')).toEqual({});
  });
});
