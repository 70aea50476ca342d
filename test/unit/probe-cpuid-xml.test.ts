import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCpuidLeaves, parseCpuidXml, signature } from '../../src/probe/cpuid-xml.ts';
import { REAL_HOSTS } from '../support/paths.ts';

const xml = (dir: string) => readFileSync(resolve(REAL_HOSTS, dir, 'cpuid-libvirt.xml'), 'utf8');

describe('CPUID signature', () => {
  it('applies the extended family only for family 0xf and the extended model for 6 and ≥ 0xf', () => {
    expect(signature(0x00a00f11)).toEqual({ family: 25, model: 1, stepping: 1 }); // Zen 3
    expect(signature(0x000606a0)).toEqual({ family: 6, model: 106, stepping: 0 }); // Ice Lake-SP
    expect(signature(0x00000f29)).toEqual({ family: 15, model: 2, stepping: 9 }); // Netburst: ext model 0
    expect(signature(0x00000543)).toEqual({ family: 5, model: 4, stepping: 3 }); // P5: no extended fields
  });
});

describe('parseCpuidXml on libvirt cpudata dumps of real hosts', () => {
  it('AMD EPYC 7713 (Milan)', () => {
    const leaves = parseCpuidLeaves(xml('amd-milan'));
    expect(leaves).toHaveLength(65); // grep -c '<cpuid '
    const c = parseCpuidXml(xml('amd-milan'));
    expect(c).toMatchObject({
      vendor: 'AuthenticAMD',
      modelName: 'AMD EPYC 7713 64-Core Processor',
      family: 25,
      model: 1,
      stepping: 1,
      threadsPerCore: 2,
      coresPerSocket: 64,
    });
    expect(c.flags).toEqual(
      expect.arrayContaining([
        'svm',
        'npt',
        'vaes',
        'vpclmulqdq',
        'pku',
        'sha_ni',
        'sev',
        'sev_es',
        'sev_snp',
        'lm',
        'nx',
        'xsaves',
        'clzero',
        'ibpb',
        'ssbd',
      ]),
    );
    expect(c.flags).not.toContain('avx512f'); // Zen 3 has no AVX-512
    expect(c.flags).not.toContain('vmx');
  });

  it('Ice Lake Server (no brand string in the dump)', () => {
    const c = parseCpuidXml(xml('intel-ice-lake-sp'));
    expect(c).toMatchObject({ vendor: 'GenuineIntel', family: 6, model: 106, stepping: 0, threadsPerCore: 2 });
    expect(c.modelName).toBeUndefined();
    expect(c.flags).toEqual(
      expect.arrayContaining([
        'vmx',
        'avx512f',
        'avx512_vnni',
        'avx512_vbmi2',
        'gfni',
        'sgx',
        'la57',
        'fsrm',
        'arch_capabilities',
        'flush_l1d',
      ]),
    );
    expect(c.flags).not.toContain('amx_tile');
    expect(c.flags).not.toContain('pconfig'); // leaf 7 EDX bit 18 is clear in this dump
    expect(c.flags).not.toContain('hypervisor');
  });

  it('Xeon Gold 6530 (Emerald Rapids) and Xeon 6788P (Granite Rapids)', () => {
    const e = parseCpuidXml(xml('intel-emerald-rapids'));
    expect(e).toMatchObject({
      vendor: 'GenuineIntel',
      modelName: 'INTEL(R) XEON(R) GOLD 6530',
      family: 6,
      model: 207,
      stepping: 2,
      coresPerSocket: 32,
      threadsPerCore: 2,
    });
    expect(e.flags).toEqual(
      expect.arrayContaining([
        'amx_tile',
        'amx_bf16',
        'amx_int8',
        'avx512_fp16',
        'avx512_bf16',
        'avx_vnni',
        'tsxldtrk',
        'serialize',
      ]),
    );
    expect(e.flags).not.toContain('amx_fp16');
    const g = parseCpuidXml(xml('intel-granite-rapids'));
    expect(g).toMatchObject({
      modelName: 'Intel(R) Xeon(R) 6788P',
      family: 6,
      model: 173,
      stepping: 1,
      coresPerSocket: 86,
      threadsPerCore: 2,
    });
    expect(g.flags).toContain('amx_fp16');
  });

  it('Xeon 6731E (Sierra Forest, E-cores: no AVX-512, no SMT)', () => {
    const s = parseCpuidXml(xml('intel-sierra-forest'));
    expect(s).toMatchObject({
      modelName: 'Intel(R) Xeon(R) 6731E',
      family: 6,
      model: 175,
      stepping: 3,
      threadsPerCore: 1,
      coresPerSocket: 96,
    });
    expect(s.flags).toEqual(expect.arrayContaining(['avx_vnni', 'avx_ifma', 'cmpccxadd', 'avx2', 'sha_ni', 'vaes']));
    expect(s.flags?.some((f) => f.startsWith('avx512'))).toBe(false);
  });

  it('names every flag it sets with a /proc/cpuinfo spelling (lower case, no blanks)', () => {
    for (const dir of [
      'amd-milan',
      'intel-ice-lake-sp',
      'intel-emerald-rapids',
      'intel-granite-rapids',
      'intel-sierra-forest',
    ]) {
      const flags = parseCpuidXml(xml(dir)).flags ?? [];
      expect(new Set(flags).size).toBe(flags.length);
      for (const f of flags) expect(f).toMatch(/^[a-z0-9_]+$/);
    }
  });
});
