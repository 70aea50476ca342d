import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cmdlineHas, parseCmdline } from '../../src/probe/cmdline.ts';
import { parseKvmDevice, parseKvmParams, paramEnabled } from '../../src/probe/kvm.ts';
import { countIommuGroups, countNumaNodes } from '../../src/probe/listing.ts';
import { parseMeminfo } from '../../src/probe/meminfo.ts';
import { parseOsRelease } from '../../src/probe/os-release.ts';
import { classifyVulnerability, parseVulnerabilities } from '../../src/probe/vulnerabilities.ts';
import { PROJECT_ROOT, REAL_HOSTS } from '../support/paths.ts';

const here = (f: string) => readFileSync(resolve(PROJECT_ROOT, 'test/fixtures/this-machine', f), 'utf8');

describe('os-release, meminfo, NUMA listing (this machine)', () => {
  it('reads Debian 12 from /etc/os-release', () => {
    expect(parseOsRelease(here('osRelease.txt'))).toEqual({
      id: 'debian',
      versionId: '12',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      versionCodename: 'bookworm',
      name: 'Debian GNU/Linux',
    });
  });

  it('handles single quotes, escapes and unquoted values', () => {
    expect(parseOsRelease('ID=rhel\nVERSION_ID=\'9.4\'\nPRETTY_NAME="Say \\"hi\\""\nID_LIKE="fedora"\n')).toEqual({
      id: 'rhel',
      versionId: '9.4',
      prettyName: 'Say "hi"',
      idLike: 'fedora',
    });
  });

  it('reads MemTotal and hugepages from /proc/meminfo', () => {
    const m = parseMeminfo(here('meminfo.txt'));
    expect(m.totalKiB).toBe(Number(/^MemTotal:\s+(\d+)/m.exec(here('meminfo.txt'))![1]));
    expect(m.totalKiB).toBeGreaterThan(1024 * 1024);
    expect(m).toMatchObject({ hugepagesTotal: 0, hugepagesFree: 0, hugepageSizeKiB: 2048 });
  });

  it('counts NUMA nodes and IOMMU groups', () => {
    expect(countNumaNodes(here('numaNodes.txt'))).toBe(1);
    expect(countNumaNodes('has_cpu\nnode0\nnode1\nnode2\nnode3\nonline\npossible\n')).toBe(4);
    expect(countIommuGroups('')).toBe(0);
    expect(countIommuGroups('0\n1\n10\n11\n2\n')).toBe(5);
  });
});

describe('CPU vulnerabilities', () => {
  it('reads the grep -r listing of this machine (path:text)', () => {
    const v = parseVulnerabilities(here('vulnerabilities.txt'));
    expect(Object.keys(v).length).toBe(here('vulnerabilities.txt').trim().split('\n').length);
    expect(v.spec_store_bypass).toBe('Vulnerable');
    expect(v.meltdown).toBe('Mitigation: PTI');
    expect(v.spectre_v2).toMatch(/^Mitigation: Retpolines; STIBP: disabled/);
  });

  it('reads the name: text listing of the EPYC 7451 dump', () => {
    const v = parseVulnerabilities(
      readFileSync(resolve(REAL_HOSTS, 'amd-naples/vulnerabilities-epyc7451.txt'), 'utf8'),
    );
    expect(v).toEqual({
      l1tf: 'Not affected',
      meltdown: 'Not affected',
      spec_store_bypass: 'Mitigation: Speculative Store Bypass disabled via prctl and seccomp',
      spectre_v1: 'Mitigation: __user pointer sanitization',
      spectre_v2: 'Mitigation: Full AMD retpoline, IBPB: conditional, STIBP: disabled, RSB filling',
    });
  });

  it('classifies kernel texts', () => {
    expect(classifyVulnerability('Not affected')).toBe('not-affected');
    expect(classifyVulnerability('Mitigation: PTI')).toBe('mitigated');
    expect(classifyVulnerability('Mitigation; Clear CPU buffers; SMT vulnerable')).toBe('mitigated');
    expect(classifyVulnerability('Vulnerable')).toBe('vulnerable');
    expect(classifyVulnerability('Vulnerable: No microcode')).toBe('vulnerable');
    expect(classifyVulnerability('Vulnerable: Clear CPU buffers attempted, no microcode; SMT vulnerable')).toBe(
      'vulnerable',
    );
    expect(classifyVulnerability('KVM: Mitigation: VMX disabled')).toBe('mitigated');
    expect(classifyVulnerability('Processor vulnerable')).toBe('vulnerable');
    expect(classifyVulnerability('Unknown: Dependent on hypervisor status')).toBe('unknown');
  });
});

describe('kernel command line', () => {
  it("tokenises this machine's cmdline and stops at --", () => {
    const t = parseCmdline(here('cmdline.txt'));
    expect(t[0]).toBe('mitigations=auto,no_guest_host,no_guest_guest');
    expect(t).toContain('pti=on');
    expect(t).not.toContain('--firecracker-init');
  });

  it('matches key=value exactly, bare keys by name, and lets the last value win', () => {
    const t = parseCmdline(
      'BOOT_IMAGE=/vmlinuz intel_iommu=on iommu=off iommu=pt quiet "acpi_osi=Windows 2020" hugepagesz=1G hugepages=16',
    );
    expect(cmdlineHas(t, 'intel_iommu=on')).toBe(true);
    expect(cmdlineHas(t, 'iommu=pt')).toBe(true);
    expect(cmdlineHas(t, 'iommu=off')).toBe(false);
    expect(cmdlineHas(t, 'quiet')).toBe(true);
    expect(cmdlineHas(t, 'hugepages')).toBe(true);
    expect(cmdlineHas(t, 'hugepages=8')).toBe(false);
    expect(cmdlineHas(t, 'acpi_osi=Windows 2020')).toBe(true);
    expect(cmdlineHas(t, 'amd_iommu=on')).toBe(false);
  });
});

describe('KVM', () => {
  it('reads module parameters from a grep listing', () => {
    const p = parseKvmParams(
      'kvm_intel',
      '/sys/module/kvm_intel/parameters/ept:Y\n/sys/module/kvm_intel/parameters/nested:' +
        'N\n/sys/module/kvm_intel/parameters/vpid:Y\n',
    );
    expect(p).toMatchObject({ module: 'kvm_intel', ept: 'Y', nested: 'N' });
    expect(p?.npt).toBeUndefined();
    const a = parseKvmParams(
      'kvm_amd',
      '/sys/module/kvm_amd/parameters/npt:1\n/sys/module/kvm_amd/parameters/nested:' +
        '1\n/sys/module/kvm_amd/parameters/sev:0\n',
    );
    expect(a).toMatchObject({ module: 'kvm_amd', npt: '1', nested: '1', params: { sev: '0' } });
    expect(parseKvmParams('kvm_amd', '')).toBeUndefined();
    expect([
      paramEnabled('Y'),
      paramEnabled('1'),
      paramEnabled('N'),
      paramEnabled('0'),
      paramEnabled(undefined),
    ]).toEqual([true, true, false, false, false]);
  });

  it('recognises /dev/kvm as a character device', () => {
    expect(parseKvmDevice('crw-rw---- 1 root kvm 10, 232 Nov 25 17:00 /dev/kvm\n')).toBe(true);
    expect(parseKvmDevice('-rw-r--r-- 1 root root 0 Nov 25 17:00 /dev/kvm\n')).toBe(false);
    expect(parseKvmDevice('')).toBe(false);
  });
});
