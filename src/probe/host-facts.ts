import type { FactGroup, CpuFacts, HostFacts } from '../model/facts.ts';
import type { CommandName } from './commands.ts';
import { cmdlineHas, parseCmdline } from './cmdline.ts';
import { cpuinfoTopology, parseCpuinfo } from './cpuinfo.ts';
import { bestDriver, parseProcCrypto } from './crypto.ts';
import { parseDmiSysfs } from './dmi.ts';
import { parseKvmDevice, parseKvmParams } from './kvm.ts';
import { countIommuGroups, countNumaNodes } from './listing.ts';
import { parseLscpuJson, type LscpuFacts } from './lscpu.ts';
import { parseMeminfo } from './meminfo.ts';
import { parseOsRelease } from './os-release.ts';
import { checkTopology, type CpuinfoTopology } from './topology.ts';
import { parseCryptsetupVersion, parseLibvirtVersion, parseOpensshVersion, parseQemuVersion } from './versions.ts';
import { detectVirtualisation } from './virtualisation.ts';
import { parseVulnerabilities } from './vulnerabilities.ts';

/**
 * The fact commands by group, so a plan (`facts:`) or `hwqual run --facts` can ask for only what its suites and
 * its report need. Every fact command is in exactly one group. Pure.
 */
export const FACT_GROUPS = {
  /** arch, hostname, OS, kernel release and command line: who the host is, for the sign-off report. */
  identity: ['arch', 'hostname', 'osRelease', 'kernelRelease', 'cmdline'],
  /** CPU model, topology, flags, microcode. */
  cpu: ['cpuinfo', 'lscpuJson', 'microcode'],
  memory: ['meminfo', 'numaNodes'],
  /** DMI: system vendor, product, BIOS. */
  firmware: ['dmi'],
  /** CPU vulnerabilities, the kernel's crypto drivers, cryptsetup's version. */
  security: ['vulnerabilities', 'crypto', 'cryptsetupVersion'],
  /** KVM device and module parameters, QEMU, libvirt and OpenSSH versions, IOMMU groups, whether the host is a VM. */
  virt: [
    'kvmDevice',
    'kvmIntelParams',
    'kvmAmdParams',
    'qemuX86',
    'qemuArm',
    'qemuKvm',
    'libvirtd',
    'virshVersion',
    'sshVersion',
    'iommuGroups',
    'hypervisorType',
    'detectVirt',
  ],
} as const satisfies Readonly<Record<FactGroup, readonly CommandName[]>>;

export type FactCommand = (typeof FACT_GROUPS)[FactGroup][number];

/** The commands fact gathering runs, in the order they are reported: group by group, as FACT_GROUPS lists them. */
export const FACT_COMMANDS: readonly FactCommand[] = Object.values(FACT_GROUPS).flat();

/** Commands whose output is still good when the exit code is not 0 (grep over files, some unreadable). */
export const PARTIAL_OK: ReadonlySet<CommandName> = new Set([
  'dmi',
  'vulnerabilities',
  'kvmIntelParams',
  'kvmAmdParams',
  // `none` with exit 1 is an answer: the host is not a VM.
  'detectVirt',
]);

/**
 * Commands whose failure is itself the answer: `ls -l /dev/kvm` exits 2 when there is no /dev/kvm (→ device: false).
 * Only a command that ran counts (not exit 127, not one a replay profile lacks).
 */
export const ANSWER_ON_ANY_EXIT: ReadonlySet<CommandName> = new Set(['kvmDevice']);

/**
 * HostFacts from the stdout of the commands that answered (a missing key = that command was unavailable).
 * Each parser failing on odd output leaves its fact out and names the command in `extra.unparsed`.
 */
export function assembleFacts(out: Partial<Record<FactCommand, string>>): HostFacts {
  const facts: HostFacts = {};
  const unparsed: string[] = [];
  const use = <T>(name: FactCommand, parse: (text: string) => T, apply: (v: T) => void) => {
    const text = out[name];
    if (text === undefined) return;
    try {
      apply(parse(text));
    } catch {
      unparsed.push(name);
    }
  };
  const line = (s: string) => s.trim().split('\n')[0]?.trim() || undefined;

  use('arch', line, (v) => {
    if (v) facts.arch = v;
  });
  use('hostname', line, (v) => {
    if (v) facts.hostname = v;
  });
  use('osRelease', parseOsRelease, ({ id, versionId, prettyName, versionCodename }) => {
    facts.os = clean({ id, versionId, prettyName, versionCodename });
  });
  const kernel: NonNullable<HostFacts['kernel']> = {};
  use('kernelRelease', line, (v) => {
    if (v) kernel.release = v;
  });
  use(
    'cmdline',
    (s) => s.trim(),
    (v) => {
      kernel.cmdline = v;
    },
  );
  if (Object.keys(kernel).length) facts.kernel = kernel;

  let cpu: CpuFacts | undefined;
  let lscpu: LscpuFacts | undefined;
  use('cpuinfo', parseCpuinfo, (v) => {
    if (Object.keys(v).length) cpu = v;
  });
  use('lscpuJson', parseLscpuJson, (v) => {
    lscpu = v;
  });
  cpu = mergeCpu(cpu, lscpu?.cpu);
  use('microcode', line, (v) => {
    if (v && cpu && !cpu.microcode) cpu.microcode = v;
  });
  let ciTopology: CpuinfoTopology | undefined;
  use('cpuinfo', cpuinfoTopology, (t) => {
    ciTopology = t;
  });
  const topology = checkTopology(ciTopology, lscpu?.topology);
  if (cpu && topology) {
    cpu.topologyConsistent = topology.consistent;
    if (topology.problems.length) cpu.topologyProblems = topology.problems;
  }
  if (cpu) facts.cpu = cpu;
  if (!facts.arch && lscpu?.arch) facts.arch = lscpu.arch;

  use('meminfo', parseMeminfo, (m) => {
    facts.memory = clean({
      totalKiB: m.totalKiB,
      hugepagesTotal: m.hugepagesTotal,
      hugepageSizeKiB: m.hugepageSizeKiB,
    });
  });
  use('numaNodes', countNumaNodes, (n) => {
    if (n > 0) facts.numaNodes = n;
  });
  if (facts.numaNodes === undefined && lscpu?.numaNodes) facts.numaNodes = lscpu.numaNodes;
  use('vulnerabilities', parseVulnerabilities, (v) => {
    if (Object.keys(v).length) facts.vulnerabilities = v;
  });
  if (!facts.vulnerabilities && lscpu && Object.keys(lscpu.vulnerabilities).length)
    facts.vulnerabilities = lscpu.vulnerabilities;
  use('dmi', parseDmiSysfs, (d) => {
    if (Object.keys(d).length) facts.dmi = d;
  });

  // Only what was observed: no answer from `ls -l /dev/kvm` leaves `device` out (not false).
  const kvm: NonNullable<HostFacts['kvm']> = {};
  use('kvmDevice', parseKvmDevice, (v) => {
    kvm.device = v;
  });
  for (const [name, module] of [
    ['kvmIntelParams', 'kvm_intel'],
    ['kvmAmdParams', 'kvm_amd'],
  ] as const) {
    use(
      name,
      (s) => parseKvmParams(module, s),
      (p) => {
        if (!p) return;
        kvm.module = p.module;
        if (p.nested !== undefined) kvm.nested = p.nested;
        if (p.ept !== undefined) kvm.ept = p.ept;
        if (p.npt !== undefined) kvm.npt = p.npt;
      },
    );
  }
  if (Object.keys(kvm).length) facts.kvm = kvm;

  for (const [name, binary] of [
    ['qemuX86', 'qemu-system-x86_64'],
    ['qemuArm', 'qemu-system-aarch64'],
    ['qemuKvm', '/usr/libexec/qemu-kvm'],
  ] as const) {
    if (facts.qemu) break;
    use(name, parseQemuVersion, (v) => {
      if (v) facts.qemu = { version: v, binary };
    });
  }
  for (const name of ['libvirtd', 'virshVersion'] as const) {
    if (facts.libvirt) break;
    use(name, parseLibvirtVersion, (v) => {
      if (v) facts.libvirt = { version: v };
    });
  }
  use('sshVersion', parseOpensshVersion, (version) => {
    if (version) facts.openssh = { version };
  });
  use('cryptsetupVersion', parseCryptsetupVersion, (version) => {
    if (version) facts.cryptsetup = { version };
  });
  use('iommuGroups', countIommuGroups, (groups) => {
    facts.iommu = { enabled: groups > 0, groups };
  });
  const virtualised = detectVirtualisation({
    cpuFlags: cpu && !cpu.arm && cpu.flags?.length ? cpu.flags : undefined,
    lscpuHypervisor: lscpu?.hypervisorVendor,
    dmi: facts.dmi,
    sysHypervisor: out.hypervisorType?.trim() || undefined,
    detectVirt: out.detectVirt?.trim().split('\n')[0] || undefined,
  });
  if (virtualised) facts.virtualised = virtualised;

  const extra: Record<string, unknown> = {};
  use(
    'crypto',
    (s) => bestDriver(parseProcCrypto(s)),
    (d) => {
      if (d) extra.xtsAes = d;
    },
  );
  if (facts.kernel?.cmdline) {
    const tokens = parseCmdline(facts.kernel.cmdline);
    extra.iommuCmdline = ['intel_iommu=on', 'amd_iommu=on', 'iommu=pt'].filter((t) => cmdlineHas(tokens, t));
  }
  if (unparsed.length) extra.unparsed = unparsed;
  if (Object.keys(extra).length) facts.extra = extra;
  return facts;
}

/**
 * /proc/cpuinfo gives flags, microcode and Arm ids; lscpu gives the topology (sockets, cores, threads) of the whole
 * host.
 */
function mergeCpu(cpuinfo: CpuFacts | undefined, lscpu: CpuFacts | undefined): CpuFacts | undefined {
  if (!cpuinfo) return lscpu;
  if (!lscpu) return cpuinfo;
  const merged: CpuFacts = { ...lscpu, ...cpuinfo };
  for (const k of ['sockets', 'coresPerSocket', 'threadsPerCore', 'threads'] as const) {
    if (lscpu[k] !== undefined) merged[k] = lscpu[k];
  }
  return merged;
}

function clean<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
