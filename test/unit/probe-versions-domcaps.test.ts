import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDomCapabilities } from '../../src/probe/domcaps.ts';
import { compareVersions, parseLibvirtVersion, parseQemuVersion, satisfies } from '../../src/probe/versions.ts';
import { PROJECT_ROOT, REAL_HOSTS } from '../support/paths.ts';

describe('tool versions', () => {
  it('reads QEMU from this machine and libvirt from its three spellings', () => {
    expect(
      parseQemuVersion(readFileSync(resolve(PROJECT_ROOT, 'test/fixtures/this-machine/qemuX86.txt'), 'utf8')),
    ).toBe('7.2.22');
    expect(parseQemuVersion('QEMU emulator version 8.2.2 (Debian 1:8.2.2+ds-0ubuntu1)\nCopyright…')).toBe('8.2.2');
    expect(parseQemuVersion('bash: qemu-system-x86_64: command not found')).toBeUndefined();
    expect(parseLibvirtVersion('libvirtd (libvirt) 9.0.0\n')).toBe('9.0.0');
    expect(parseLibvirtVersion('9.0.0\n')).toBe('9.0.0');
    expect(
      parseLibvirtVersion(
        'Compiled against library: libvirt 10.0.0\nUsing library: libvirt 10.0.0\nUsing API: QEMU 10.0.0\nRunning ' +
          'hypervisor: QEMU 8.2.2\n',
      ),
    ).toBe('10.0.0');
  });

  it('compares dotted versions numerically', () => {
    expect(compareVersions('7.10', '7.2')).toBe(1);
    expect(compareVersions('7.2', '7.2.0')).toBe(0);
    expect(compareVersions('7.2.22', '8')).toBe(-1);
    expect(compareVersions('v10.1.0-rc1', '10.1')).toBe(0);
  });

  it('checks ranges with >=, >, <=, <, = and combinations', () => {
    expect(satisfies('7.2.22', '>=7.2')).toBe(true);
    expect(satisfies('7.1.9', '>=7.2')).toBe(false);
    expect(satisfies('7.2.0', '>7.2')).toBe(false);
    expect(satisfies('8.0', '> 7.2')).toBe(true);
    expect(satisfies('9.1', '<=9.1.0')).toBe(true);
    expect(satisfies('10.0', '<10')).toBe(false);
    expect(satisfies('7.2.0', '=7.2')).toBe(true);
    expect(satisfies('7.2.0', '7.2.1')).toBe(false);
    expect(satisfies('8.2.2', '>=7.2 <9')).toBe(true);
    expect(satisfies('9.2.0', '>=7.2, <9')).toBe(false);
    expect(() => satisfies('7.2', '~7')).toThrow(/bad version comparator/);
    expect(() => satisfies('7.2', '')).toThrow();
  });
});

describe('virsh domcapabilities (Granite Rapids TDX host, QEMU 10.1)', () => {
  const caps = parseDomCapabilities(
    readFileSync(resolve(REAL_HOSTS, 'intel-granite-rapids/virsh-domcapabilities-tdx-libvirt-test.xml'), 'utf8'),
  );

  it('reads the domain header and CPU modes', () => {
    expect(caps).toMatchObject({
      path: '/usr/bin/qemu-system-x86_64',
      domain: 'kvm',
      machine: 'pc-q35-10.1',
      arch: 'x86_64',
      maxVcpus: 4096,
    });
    expect(caps.cpuModes).toEqual({ 'host-passthrough': true, maximum: true, 'host-model': true, custom: true });
  });

  it('reads host-model with its required and disabled features', () => {
    expect(caps.hostModel?.name).toBe('GraniteRapids');
    expect(caps.hostModel?.vendor).toBe('Intel');
    expect(caps.hostModel?.required).toEqual(
      expect.arrayContaining(['vmx', 'md-clear', 'tsx-ctrl', 'vmx-tsc-scaling']),
    );
    expect(caps.hostModel?.disabled).toEqual(['mcdt-no', 'sbdr-ssdp-no', 'fbsdp-no', 'psdp-no', 'pbrsb-no']);
  });

  it('reads named models with usability and blockers', () => {
    expect(caps.customModels.length).toBe(145);
    expect(caps.customModels.find((m) => m.name === 'Broadwell')).toEqual({
      name: 'Broadwell',
      usable: 'yes',
      vendor: 'Intel',
      canonical: 'Broadwell-v1',
      blockers: [],
    });
    expect(caps.customModels.find((m) => m.name === 'Denverton')).toMatchObject({ usable: 'no', blockers: ['mpx'] });
    expect(caps.customModels.find((m) => m.name === 'Dhyana-v2')?.blockers).toEqual([
      'cr8legacy',
      'fxsr_opt',
      'misalignsse',
      'mmxext',
      'osvw',
      'sse4a',
    ]);
  });

  it('reads launch-security features', () => {
    expect(caps.features).toMatchObject({ tdx: true, sev: false, sgx: true, gic: false, hyperv: true });
  });
});
