// Whether a host is itself a VM: real captures of a VMware guest, an Alibaba Cloud VM, a Dell server and this machine.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDmidecode } from '../../src/probe/dmi.ts';
import { parseLscpuText } from '../../src/probe/lscpu.ts';
import { detectVirtualisation } from '../../src/probe/virtualisation.ts';
import { importToDir } from '../../src/transport/import/to-dir.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { runReplayed } from '../support/replay-run.ts';
import { tempDir } from '../support/temp-dir.ts';

const CAPTURES = resolve(PROJECT_ROOT, 'test/fixtures/public-captures');
const capture = (f: string) => readFileSync(join(CAPTURES, f), 'utf8');

describe('detectVirtualisation', () => {
  it('a VMware ESXi guest: the hypervisor flag and lscpu name it, 16 "sockets" of one core each', () => {
    const l = parseLscpuText(capture('lscpu-vmware-esxi-e5-2640v3.txt'));
    expect(l.cpu).toMatchObject({ sockets: 16, coresPerSocket: 1, threads: 16 });
    expect(detectVirtualisation({ cpuFlags: l.cpu.flags, lscpuHypervisor: l.hypervisorVendor })).toEqual({
      kind: 'vmware',
      evidence: ['lscpu Hypervisor vendor: VMware', 'CPU flag hypervisor'],
    });
  });

  it('DMI of an Alibaba Cloud ECS VM names it; a Dell PowerEdge does not make a host virtual', () => {
    const ecs = parseDmidecode(capture('dmidecode-alibaba-ecs.txt')).system!;
    expect(detectVirtualisation({ dmi: { sysVendor: ecs.manufacturer, productName: ecs.productName } })).toEqual({
      kind: 'alibaba',
      evidence: ['DMI "Alibaba Cloud Alibaba Cloud ECS"'],
    });
    const dell = parseDmidecode(capture('dmidecode-dell-r640-system.txt')).system!;
    const dmi = { sysVendor: dell.manufacturer, productName: dell.productName };
    expect(detectVirtualisation({ dmi })).toBeUndefined(); // nothing said either way
    expect(detectVirtualisation({ dmi, cpuFlags: ['fpu', 'vmx'] })).toEqual({
      kind: 'none',
      evidence: ['no hypervisor CPU flag'],
    });
    // EC2 bare-metal instances carry Amazon's DMI but are not VMs.
    expect(detectVirtualisation({ dmi: { sysVendor: 'Amazon EC2', productName: 'm5.metal' } })).toBeUndefined();
    expect(detectVirtualisation({ dmi: { sysVendor: 'Amazon EC2', productName: 'm5.large' } })?.kind).toBe('amazon');
  });

  it(
    "systemd-detect-virt's word comes first; `none` with no flag is " + "a physical host; Xen's /sys/hypervisor counts",
    () => {
      expect(detectVirtualisation({ detectVirt: 'kvm', cpuFlags: ['hypervisor'] })?.kind).toBe('kvm');
      expect(detectVirtualisation({ detectVirt: 'none', cpuFlags: ['fpu'] })).toEqual({
        kind: 'none',
        evidence: ['systemd-detect-virt --vm: none', 'no hypervisor CPU flag'],
      });
      expect(detectVirtualisation({ sysHypervisor: 'xen' })?.kind).toBe('xen');
      expect(detectVirtualisation({ cpuFlags: ['hypervisor'] })?.kind).toBe('hypervisor (kind unknown)');
    },
  );
});

describe('server-inventory on a replayed VMware guest (its real lscpu)', () => {
  it('inventories what the hypervisor exposes and says so, instead of a 16-socket server', async () => {
    // The capture made into a profile the way a user would: `hwqual profile import --lscpu` (its module).
    const dir = join(tempDir('hwqual-vmware-'), 'esxi-guest');
    await importToDir({
      out: dir,
      assembledAt: '2020-05-14T00:00:00.000Z',
      from: CAPTURES,
      inputs: [{ kind: 'lscpu', file: 'lscpu-vmware-esxi-e5-2640v3.txt', what: 'qemu-devel, 14 May 2020' }],
    });
    const { results } = await runReplayed(
      { 'esxi-guest': dir },
      { suites: ['server-inventory', 'cpu-features'], grep: /\/(cpu|generation)@/ },
    );
    const cpu = results.cases.find((c) => c.caseId === 'cpu')!;
    expect(cpu.status).toBe('passed');
    expect(results.hosts[0].facts.extra?.cpu).toMatchObject({
      sockets: 16,
      virtualised: 'vmware',
      seenThrough:
        "a vmware virtual machine: sockets, cores, threads and flags are what the hypervisor exposes, not the server's",
      topologyConsistent: true,
    });
    // The generation case reads the same lscpu: a Haswell-EP, whose flags are what VMware exposes.
    expect(results.cases.find((c) => c.caseId === 'generation')).toMatchObject({ status: 'passed' });
    expect(results.hosts[0].facts.extra?.cpuGeneration).toMatchObject({
      generation: 'intel-haswell-ep',
      virtualised: 'vmware',
      identifiedFrom: 'lscpu',
    });
  });
});
