import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDomCapabilities } from '../../src/probe/domcaps.ts';
import { parseCapabilitiesMachines, parseVirshVersion } from '../../src/probe/libvirt-caps.ts';
import { libvirtFeatureName, libvirtModelName, qemuFeatureName, qemuModelName } from '../../src/probe/libvirt-names.ts';

const fixture = (f: string) => readFileSync(`test/fixtures/libvirt/${f}`, 'utf8');
const caps12 = parseDomCapabilities(fixture('debian-12-domcapabilities.xml'));
const caps13 = parseDomCapabilities(fixture('debian-13-domcapabilities.xml'));

describe('QEMU → libvirt CPU model names', () => {
  it('libvirt 9.0 has no versioned names: Westmere-v1 is Westmere, by QEMU alias-of or the -v1 rule', () => {
    const defs = [{ name: 'Westmere', aliasOf: 'Westmere-v1' }, { name: 'Westmere-v1' }, { name: 'Westmere-v2' }];
    expect(libvirtModelName('Westmere-v1', caps12.customModels, defs)).toEqual({ name: 'Westmere', via: 'alias-of' });
    expect(libvirtModelName('Westmere-v1', caps12.customModels)).toEqual({ name: 'Westmere', via: 'unversioned -v1' });
    expect(libvirtModelName('Westmere', caps12.customModels)).toEqual({ name: 'Westmere', via: 'same' });
    const v2 = libvirtModelName('Westmere-v2', caps12.customModels, defs);
    expect(v2.name).toBeUndefined();
    expect('problem' in v2 && v2.problem).toMatch(/no CPU model named Westmere-v2 nor an unversioned alias/);
    expect(libvirtModelName('NoSuchModel', caps12.customModels)).toMatchObject({
      problem: expect.stringMatching(/no CPU model named NoSuchModel \(\d+ models listed\)/),
    });
  });

  it('libvirt 11.3 lists both names, the alias with canonical=: taken as they are', () => {
    expect(libvirtModelName('Westmere-v1', caps13.customModels)).toEqual({ name: 'Westmere-v1', via: 'same' });
    expect(caps13.customModels.find((m) => m.name === 'Westmere')?.canonical).toBe('Westmere-v1');
  });

  it('back to QEMU: the same model under two names is one model', () => {
    expect(qemuModelName('Westmere', caps13.customModels)).toBe('Westmere-v1'); // canonical=
    expect(qemuModelName('Westmere', caps12.customModels, [{ name: 'Westmere', aliasOf: 'Westmere-v1' }])).toBe(
      'Westmere-v1',
    );
    expect(qemuModelName('Westmere', caps12.customModels)).toBe('Westmere-v1'); // the -v1 rule
    expect(qemuModelName('Nehalem-v2')).toBe('Nehalem-v2');
  });

  it("feature names: libvirt's historical spellings both ways, the rest unchanged", () => {
    expect(libvirtFeatureName('pclmulqdq')).toBe('pclmuldq');
    expect(libvirtFeatureName('lahf-lm')).toBe('lahf_lm');
    expect(libvirtFeatureName('sse4-2')).toBe('sse4.2');
    expect(libvirtFeatureName('aes')).toBe('aes');
    expect(qemuFeatureName('pclmuldq')).toBe('pclmulqdq');
    expect(qemuFeatureName('tsc_adjust')).toBe('tsc-adjust');
  });
});

describe('virsh capabilities and version', () => {
  it('machine types for TCG domains: pc-q35-7.2 on libvirt 9.0 / QEMU 7.2, pc-q35-10.0 on 11.3 / 10.0', () => {
    const m12 = parseCapabilitiesMachines(fixture('debian-12-capabilities.xml'));
    const m13 = parseCapabilitiesMachines(fixture('debian-13-capabilities.xml'));
    expect(m12.find((m) => m.name === 'q35')).toEqual({ name: 'q35', canonical: 'pc-q35-7.2' });
    expect(m12.map((m) => m.name)).toContain('pc-q35-7.2');
    expect(m12.map((m) => m.name)).not.toContain('pc-q35-10.0');
    expect(m13.map((m) => m.name)).toEqual(expect.arrayContaining(['pc-q35-7.2', 'pc-q35-10.0']));
  });

  it('virsh version: the library and the running hypervisor', () => {
    expect(parseVirshVersion(fixture('debian-12-version.txt'))).toEqual({
      libvirt: '9.0.0',
      hypervisor: 'QEMU 7.2.22',
    });
    expect(parseVirshVersion(fixture('debian-13-version.txt'))).toEqual({
      libvirt: '11.3.0',
      hypervisor: 'QEMU 10.0.13',
    });
  });
});

describe('one name for a pool', () => {
  it('Westmere-v1 on libvirt 9.0 + 11.3 is Westmere (both accept it); a model a host lacks: a problem', async () => {
    const { poolLibvirtModelName } = await import('../../src/probe/libvirt-names.ts');
    const pool = [
      { host: 'node-a', models: caps12.customModels },
      { host: 'node-b', models: caps13.customModels },
    ];
    expect(poolLibvirtModelName('Westmere-v1', pool)).toEqual({ name: 'Westmere', via: 'unversioned -v1' });
    expect(poolLibvirtModelName('Westmere', pool)).toEqual({ name: 'Westmere', via: 'same' });
    expect(poolLibvirtModelName('Cascadelake-Server-v4', pool)).toMatchObject({
      problem: expect.stringMatching(/^node-a: libvirt on this host has no CPU model named Cascadelake-Server-v4/),
    });
  });
});
