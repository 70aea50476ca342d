import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CMD } from '../../src/probe/commands.ts';
import { assembleFacts, FACT_COMMANDS, type FactCommand } from '../../src/probe/host-facts.ts';
import { gatherFacts } from '../../src/runner/facts.ts';
import { cpuinfoTopology } from '../../src/probe/cpuinfo.ts';
import { parseLscpuText } from '../../src/probe/lscpu.ts';
import { checkTopology } from '../../src/probe/topology.ts';
import { HwqualError } from '../../src/model/errors.ts';
import type { ExecOptions, ExecResult } from '../../src/model/exec.ts';
import { LocalTransport } from '../../src/transport/local.ts';
import { PROJECT_ROOT, REAL_HOSTS } from '../support/paths.ts';

const HERE = resolve(PROJECT_ROOT, 'test/fixtures/this-machine');

function thisMachineOutputs(): Partial<Record<FactCommand, string>> {
  const out: Partial<Record<FactCommand, string>> = {};
  for (const name of FACT_COMMANDS) {
    const f = resolve(HERE, `${name}.txt`);
    if (existsSync(f)) out[name] = readFileSync(f, 'utf8');
  }
  out.iommuGroups = ''; // `ls` of the empty directory printed nothing, exit 0
  return out;
}

describe('assembleFacts', () => {
  it("builds this machine's facts from its captured outputs", () => {
    const f = assembleFacts(thisMachineOutputs());
    expect(f).toMatchObject({
      arch: 'x86_64',
      hostname: 'vm',
      os: { id: 'debian', versionId: '12', versionCodename: 'bookworm' },
      kernel: { release: '6.18.44-fc-v782' },
      cpu: {
        vendor: 'AuthenticAMD',
        modelName: 'AMD EPYC',
        family: 26,
        sockets: 1,
        coresPerSocket: 2,
        threadsPerCore: 1,
        threads: 2,
      },
      memory: { hugepagesTotal: 0, hugepageSizeKiB: 2048 },
      numaNodes: 1,
      qemu: { version: '7.2.22', binary: 'qemu-system-x86_64' },
      iommu: { enabled: false, groups: 0 },
      // A guest (the capture's lscpu -J names no hypervisor vendor): the CPU flag says so, not which hypervisor.
      virtualised: { kind: 'hypervisor (kind unknown)', evidence: ['CPU flag hypervisor'] },
    });
    expect(f.cpu).toMatchObject({ topologyConsistent: true });
    // `ls -l /dev/kvm` gave nothing (exit 2, no output): /dev/kvm's presence is not stated either way.
    expect(f.kvm).toBeUndefined();
    expect(f.kernel?.cmdline).toMatch(/^mitigations=auto/);
    expect(f.vulnerabilities?.spec_store_bypass).toBe('Vulnerable');
    expect(f.libvirt).toBeUndefined();
    expect(f.dmi).toBeUndefined();
  });

  it('builds an EPYC 7451 host from its real cpuinfo block and vulnerabilities, and lscpu topology when given', () => {
    const cpuinfo = readFileSync(resolve(REAL_HOSTS, 'amd-naples/cpuinfo-epyc7451.txt'), 'utf8');
    const vulns = readFileSync(resolve(REAL_HOSTS, 'amd-naples/vulnerabilities-epyc7451.txt'), 'utf8');
    const f = assembleFacts({
      cpuinfo,
      vulnerabilities: vulns,
      kvmAmdParams: '/sys/module/kvm_amd/parameters/nested:1\n/sys/module/kvm_amd/parameters/npt:1\n',
    });
    expect(f.cpu).toMatchObject({
      vendor: 'AuthenticAMD',
      modelName: 'AMD EPYC 7451 24-Core Processor',
      microcode: '0x8001227',
      coresPerSocket: 24,
      threadsPerCore: 2,
    });
    expect(Object.keys(f.vulnerabilities ?? {})).toEqual([
      'l1tf',
      'meltdown',
      'spec_store_bypass',
      'spectre_v1',
      'spectre_v2',
    ]);
    expect(f.kvm).toEqual({ module: 'kvm_amd', nested: '1', npt: '1' });
    // One processor block of a 96-CPU host: the count it gives contradicts its own `siblings`, and says so.
    expect(f.cpu).toMatchObject({
      threads: 1,
      topologyConsistent: false,
      topologyProblems: ['/proc/cpuinfo lists 1 logical CPUs, but siblings 48 × 1 package(s) = 48'],
    });
    // With util-linux's lscpu of the same host beside it, the cross-source numbers disagree too.
    const lscpu = readFileSync(resolve(REAL_HOSTS, 'amd-naples/lscpu-epyc7451-util-linux-expected.txt'), 'utf8');
    const both = checkTopology(cpuinfoTopology(cpuinfo), parseLscpuText(lscpu.split(/\n\s*\n/)[0]).topology);
    expect(both?.problems).toEqual([
      '/proc/cpuinfo lists 1 logical CPUs, but siblings 48 × 1 package(s) = 48',
      '/proc/cpuinfo lists 1 logical CPUs, lscpu 96',
    ]);
  });

  it(
    "the issue's Bergamo paste: 8 blocks of a host whose siblings say " +
      '256 per package are reported as contradicting',
    () => {
      const f = assembleFacts({
        cpuinfo: readFileSync(resolve(REAL_HOSTS, 'amd-bergamo/cpuinfo-lxc-first-8-blocks.txt'), 'utf8'),
      });
      expect(f.cpu).toMatchObject({
        threads: 8,
        coresPerSocket: 128,
        threadsPerCore: 2,
        topologyConsistent: false,
        topologyProblems: ['/proc/cpuinfo lists 8 logical CPUs, but siblings 256 × 1 package(s) = 256'],
      });
      expect(f.virtualised).toEqual({ kind: 'none', evidence: ['no hypervisor CPU flag'] });
      // The same CPU from inside a VM (8 vCPUs as 2 × 4): consistent, and a VM by its flag.
      const vm = assembleFacts({
        cpuinfo: readFileSync(resolve(REAL_HOSTS, 'amd-bergamo/cpuinfo-vm-8vcpu.txt'), 'utf8'),
      });
      expect(vm.cpu).toMatchObject({ threads: 8, sockets: 2, coresPerSocket: 4, topologyConsistent: true });
      expect(vm.virtualised?.kind).toBe('hypervisor (kind unknown)');
    },
  );

  it('leaves out what failed to parse and says so', () => {
    const f = assembleFacts({ lscpuJson: 'not json', osRelease: 'ID=debian\n' });
    expect(f.cpu).toBeUndefined();
    expect(f.os).toEqual({ id: 'debian' });
    expect(f.extra?.unparsed).toEqual(['lscpuJson']);
  });
});

/** Fault injection on the real local transport: chosen commands reject as a replay profile without them would. */
class LocalWithout extends LocalTransport {
  constructor(private readonly missing: Set<string>) {
    super('local');
  }
  override exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    if (this.missing.has(command))
      return Promise.reject(new HwqualError('E_NOT_RECORDED', `not recorded: ${command}`, { host: this.host }));
    return super.exec(command, options);
  }
}

describe('gatherFacts on this machine (LocalTransport)', () => {
  it('gathers real facts and names the commands that were unavailable', async () => {
    const f = await gatherFacts(new LocalTransport('local'), new AbortController().signal);
    expect(f.os).toMatchObject({ id: 'debian', versionId: '12' });
    expect(f.cpu?.threads).toBeGreaterThanOrEqual(1);
    expect(f.cpu?.flags?.length).toBeGreaterThan(20);
    expect(f.qemu?.version).toMatch(/^7\.2\./);
    expect(f.extra?.unavailable).toEqual(expect.arrayContaining(['libvirtd', 'virshVersion', 'qemuArm']));
    expect(f.extra?.unavailable).not.toContain('cpuinfo');
    // What happened, in the command's own words.
    expect((f.extra!.unavailableWhy as Record<string, string>).libvirtd).toMatch(/^`libvirtd --version` exited 127/);
  });

  it('tolerates commands that reject, and rejects only when cancelled', async () => {
    const t = new LocalWithout(new Set([CMD.lscpuJson, CMD.osRelease]));
    const f = await gatherFacts(t, new AbortController().signal);
    expect(f.os).toBeUndefined();
    // from /proc/cpuinfo alone
    expect(f.cpu?.vendor).toBe(/^vendor_id\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]);
    expect(f.extra?.unavailable).toEqual(expect.arrayContaining(['lscpuJson', 'osRelease']));
    expect((f.extra!.unavailableWhy as Record<string, string>).osRelease).toBe('not recorded: cat /etc/os-release');
    const ac = new AbortController();
    ac.abort();
    await expect(gatherFacts(new LocalTransport('local'), ac.signal)).rejects.toMatchObject({ code: 'E_CANCELLED' });
  });
});
