import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSuitesLocally } from '../support/run-local.ts';

/** What this machine is, read here directly (not through the code under test). */
const VULN_DIR = '/sys/devices/system/cpu/vulnerabilities';
const vulns = Object.fromEntries(
  readdirSync(VULN_DIR).map((n) => [n, readFileSync(`${VULN_DIR}/${n}`, 'utf8').trim()]),
);
const hasKvm = existsSync('/dev/kvm') && statSync('/dev/kvm').isCharacterDevice();
const kvmModule = existsSync('/sys/module/kvm_intel') || existsSync('/sys/module/kvm_amd');
const iommuGroups = existsSync('/sys/kernel/iommu_groups') ? readdirSync('/sys/kernel/iommu_groups').length : 0;
const hasLibvirt = execSync('command -v libvirtd virsh || true', { shell: '/bin/sh' }).toString().trim() !== '';
const cmdline = readFileSync('/proc/cmdline', 'utf8');

describe('host-os suite on this machine', () => {
  let run: Awaited<ReturnType<typeof runSuitesLocally>>;
  beforeAll(async () => {
    // facts: all — the gathered facts (OpenSSH's version is a virt fact, which host-os does not read) are checked too.
    run = await runSuitesLocally(['host-os'], {
      facts: 'all',
      require: { qemu: '>=7.2', kernelCmdline: ['pti=on', 'hwqual_not_there=1'], hugepages: { min: 0 } },
    });
  }, 60_000);

  it('os-release passes and reports Debian 12; kernel release is recorded', () => {
    expect(run.byId('os-release').status).toBe('passed');
    expect(run.host.facts.extra?.os).toMatchObject({
      id: 'debian',
      versionId: '12',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
    });
    expect(run.byId('kernel-release').status).toBe('passed');
    expect(run.host.facts.extra?.kernelRelease).toBe(execSync('uname -r').toString().trim());
  });

  it('QEMU 7.2 satisfies >=7.2', () => {
    expect(run.byId('qemu-version').status).toBe('passed');
    expect(run.host.facts.extra?.qemu).toMatchObject({
      version: expect.stringMatching(/^7\.2\./),
      binary: 'qemu-system-x86_64',
    });
  });

  it("OpenSSH and cryptsetup versions are the machine's, as facts (gathered and per case)", () => {
    const ssh = /OpenSSH_([\d.]+p\d+)/.exec(execSync('ssh -V 2>&1', { shell: '/bin/sh' }).toString())![1];
    const luks = /^cryptsetup ([\d.]+)/.exec(execSync('cryptsetup --version').toString())![1];
    expect(run.byId('openssh-version').status).toBe('passed');
    expect(run.byId('cryptsetup-version').status).toBe('passed');
    expect(run.host.facts.extra).toMatchObject({ openssh: { version: ssh }, cryptsetup: { version: luks } });
    expect(run.host.facts).toMatchObject({ openssh: { version: ssh }, cryptsetup: { version: luks } });
  });

  it('KVM, IOMMU and libvirt cases tell what this machine has', () => {
    expect(run.byId('kvm-device').status).toBe(hasKvm ? 'passed' : 'failed');
    if (!hasKvm) expect(run.byId('kvm-device')).toMatchObject({ expected: 'present', actual: '(absent)' });
    expect(run.byId('kvm-module').status).toBe(kvmModule ? 'passed' : 'failed');
    expect(run.byId('iommu').status).toBe(iommuGroups > 0 ? 'passed' : 'failed');
    expect(run.byId('iommu').metrics.iommu_groups).toBe(iommuGroups);
    expect(run.byId('libvirt-version').status).toBe(hasLibvirt ? 'passed' : 'skipped');
    if (!hasLibvirt) expect(run.byId('libvirt-version').message).toMatch(/libvirt is not installed/);
  });

  it('one case per vulnerability entry: fails on "Vulnerable", passes on "Not affected" / "Mitigation: …"', () => {
    const cases = run.results.cases.filter((c) => c.caseId.startsWith('vulnerability-'));
    expect(cases.map((c) => c.caseId).sort()).toEqual(
      Object.keys(vulns)
        .map((n) => `vulnerability-${n}`)
        .sort(),
    );
    for (const [name, text] of Object.entries(vulns)) {
      const c = run.byId(`vulnerability-${name}`);
      expect(c.status, `${name}: ${text}`).toBe(text.startsWith('Vulnerable') ? 'failed' : 'passed');
      if (c.status === 'failed') expect(c.actual).toBe(text);
    }
  });

  it('kernel command line: each required entry is its own assertion', () => {
    const c = run.byId('kernel-cmdline');
    const ptiOn = /(^|\s)pti=on(\s|$)/.test(cmdline);
    expect(c.assertions.map((a) => [a.name, a.passed])).toEqual([
      ['cmdline pti=on', ptiOn],
      ['cmdline hwqual_not_there=1', false],
    ]);
    expect(c.status).toBe('failed');
    expect(c.assertions[1]).toMatchObject({ expected: 'hwqual_not_there=1', actual: '(absent)' });
  });

  it('hugepages are reported as metrics and pass when the plan asks for none', () => {
    const meminfo = readFileSync('/proc/meminfo', 'utf8');
    const c = run.byId('hugepages');
    expect(c.status).toBe('passed');
    expect(c.metrics.hugepages_total).toBe(Number(/^HugePages_Total:\s+(\d+)/m.exec(meminfo)![1]));
    expect(c.metrics.hugepage_size_kib).toBe(Number(/^Hugepagesize:\s+(\d+)/m.exec(meminfo)![1]));
  });
});

describe('host-os suite: requirements the machine does not meet', () => {
  it('fails QEMU below the range, hugepages below the minimum, and skips what the plan turns off', async () => {
    const total = Number(/^HugePages_Total:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
    const { byId } = await runSuitesLocally(['host-os'], {
      require: {
        qemu: '>=99',
        hugepages: total + 1,
        kvm: false,
        iommu: false,
        os: { id: 'rhel' },
        openssh: '>=99',
        cryptsetup: '<1',
      },
    });
    expect(byId('openssh-version')).toMatchObject({
      status: 'failed',
      expected: '>=99',
      actual: expect.stringMatching(/^\d+\.\d+p\d+$/),
    });
    expect(byId('cryptsetup-version')).toMatchObject({ status: 'failed', expected: '<1' });
    expect(byId('qemu-version')).toMatchObject({
      status: 'failed',
      expected: '>=99',
      actual: expect.stringMatching(/^7\.2\./),
    });
    expect(byId('hugepages')).toMatchObject({ status: 'failed' });
    expect(byId('hugepages').assertions[0]).toMatchObject({
      name: 'hugepages total',
      expected: `>= ${total + 1}`,
      actual: String(total),
    });
    expect(byId('kvm-device')).toMatchObject({ status: 'skipped', message: 'the plan says require.kvm: false' });
    expect(byId('iommu').status).toBe('skipped');
    expect(byId('os-release')).toMatchObject({ status: 'failed' });
    expect(byId('os-release').assertions.find((a) => a.name === 'os id')).toMatchObject({
      passed: false,
      expected: 'rhel',
      actual: 'debian',
    });
  }, 60_000);
});
