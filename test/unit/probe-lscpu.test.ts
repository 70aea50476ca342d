import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lscpuTextFields, parseLscpuJson, parseLscpuText } from '../../src/probe/lscpu.ts';
import { PROJECT_ROOT, REAL_HOSTS } from '../support/paths.ts';

const fixture = (f: string) => readFileSync(resolve(PROJECT_ROOT, 'test/fixtures', f), 'utf8');
const realHost = (f: string) => readFileSync(resolve(REAL_HOSTS, f), 'utf8');

describe('lscpu text', () => {
  it('EPYC 7451 (util-linux expected output, 2 sockets, 8 NUMA nodes, parsable CSV tail ignored)', () => {
    const l = parseLscpuText(realHost('amd-naples/lscpu-epyc7451-util-linux-expected.txt'));
    expect(l.cpu).toMatchObject({
      vendor: 'AuthenticAMD',
      modelName: 'AMD EPYC 7451 24-Core Processor',
      family: 23,
      model: 1,
      stepping: 2,
      microcode: '0x8001227',
      sockets: 2,
      coresPerSocket: 24,
      threadsPerCore: 2,
      threads: 96,
    });
    expect(l.numaNodes).toBe(8);
    expect(l.virtualization).toBe('AMD-V');
    expect(l.vulnerabilities).toEqual({
      l1tf: 'Not affected',
      meltdown: 'Not affected',
      spec_store_bypass: 'Mitigation; Speculative Store Bypass disabled via prctl and seccomp',
      spectre_v1: 'Mitigation; __user pointer sanitization',
      spectre_v2: 'Mitigation; Full AMD retpoline, IBPB conditional, STIBP disabled, RSB filling',
    });
    expect(l.cpu.flags).toHaveLength(
      realHost('amd-naples/cpuinfo-epyc7451.txt')
        .match(/^flags\s*:(.*)$/m)![1]
        .trim()
        .split(/\s+/).length,
    );
  });

  it('EPYC 7742 (older layout: no sections, no vulnerabilities)', () => {
    const l = parseLscpuText(realHost('amd-rome/lscpu.txt'));
    expect(l).toMatchObject({ arch: 'x86_64', numaNodes: 2, vulnerabilities: {} });
    expect(l.cpu).toMatchObject({
      modelName: 'AMD EPYC 7742 64-Core Processor',
      family: 23,
      model: 49,
      stepping: 0,
      sockets: 2,
      coresPerSocket: 64,
      threadsPerCore: 1,
      threads: 128,
    });
    expect(l.cpu.flags).toEqual(expect.arrayContaining(['sme', 'rdpid', 'umip']));
  });

  it('Ice Lake ES, terminal layout: indented sections and Flags wrapped mid-word', () => {
    const text = fixture('public-captures/lscpu-icelake-es-2x38.txt');
    const l = parseLscpuText(text);
    expect(l.cpu).toMatchObject({
      vendor: 'GenuineIntel',
      modelName: 'Genuine Intel(R) CPU 0000%@',
      family: 6,
      model: 106,
      stepping: 6,
      sockets: 2,
      coresPerSocket: 38,
      threadsPerCore: 2,
      threads: 152,
    });
    // "rd" + "tscp", "t" + "m2", "3dnowpre" + "fetch", "bm" + "i1", "avx512" + "vl", "hw" + "p_act_window",
    // "avx512_vpopcn" + "tdq"
    expect(l.cpu.flags).toEqual(
      expect.arrayContaining([
        'rdtscp',
        'tm2',
        '3dnowprefetch',
        'bmi1',
        'avx512vl',
        'hwp_act_window',
        'avx512_vpopcntdq',
        'arch_capabilities',
      ]),
    );
    expect(l.cpu.flags).not.toContain('rd');
    expect(l.cpu.flags).toHaveLength(151);
    expect(l.numaNodes).toBe(2);
    expect(l.virtualization).toBe('VT-x');
    expect(l.vulnerabilities.spectre_v2).toBe(
      'Mitigation; Enhanced / Automatic IBRS; IBPB conditional; RSB filling; PBRSB-eIBRS SW sequence; BHI SW loop, ' +
        'KVM SW loop',
    );
    expect(Object.keys(l.vulnerabilities)).toHaveLength(15);
    expect(lscpuTextFields(text).get('L3')).toBe('114 MiB (2 instances)');
  });

  it('this machine (util-linux 2.38, flat)', () => {
    const l = parseLscpuText(fixture('this-machine/lscpu.txt'));
    expect(l.cpu).toMatchObject({
      vendor: 'AuthenticAMD',
      modelName: 'AMD EPYC',
      sockets: 1,
      coresPerSocket: 2,
      threadsPerCore: 1,
      threads: 2,
    });
    expect(l.vulnerabilities.spec_store_bypass).toBe('Vulnerable');
  });
});

describe('lscpu -J', () => {
  it('flat {field,data} list (util-linux 2.38, this machine) agrees with the text form', () => {
    const j = parseLscpuJson(fixture('this-machine/lscpuJson.txt'));
    const t = parseLscpuText(fixture('this-machine/lscpu.txt'));
    expect(j).toEqual(t);
    expect(j.arch).toBe('x86_64');
    expect(j.numaNodes).toBe(1);
  });

  it('nested children shape (Xeon Gold 6430, util-linux 2.37 on Ubuntu 22.04)', () => {
    const j = parseLscpuJson(fixture('public-captures/lscpu-json-sapphire-rapids-gold6430.json'));
    expect(j.cpu).toMatchObject({
      vendor: 'GenuineIntel',
      modelName: 'Intel(R) Xeon(R) Gold 6430',
      family: 6,
      model: 143,
      stepping: 8,
      sockets: 2,
      coresPerSocket: 32,
      threadsPerCore: 1,
      threads: 64,
    });
    expect(j.cpu.flags).toEqual(expect.arrayContaining(['avx512_bf16', 'waitpkg', 'movdir64b', 'arch_capabilities']));
    expect(j.cpu.flags).not.toContain('amx_tile'); // that kernel did not print AMX yet
    expect(j).toMatchObject({ arch: 'x86_64', numaNodes: 2, virtualization: 'VT-x' });
    expect(j.vulnerabilities).toMatchObject({
      gather_data_sampling: 'Not affected',
      tsx_async_abort: 'Not affected',
      spec_store_bypass: 'Mitigation; Speculative Store Bypass disabled via prctl and seccomp',
    });
    expect(Object.keys(j.vulnerabilities)).toHaveLength(12);
  });

  it('rejects text that is not JSON', () => {
    expect(() => parseLscpuJson('Architecture: x86_64')).toThrow();
  });
});
