import type { FactCommand } from '../probe/host-facts.ts';

/**
 * What a changed fact means for the qualification. THE two tables of drift: every compared fact → its class, and
 * every class → the suites whose cases it invalidates. docs/drift.md and the unit test read them from here.
 */
export type DriftClass = 'cpu-visible' | 'hypervisor' | 'firmware' | 'inventory' | 'cosmetic';

export const DRIFT_CLASSES: readonly DriftClass[] = ['cpu-visible', 'hypervisor', 'firmware', 'inventory', 'cosmetic'];

/**
 * Class → the suites whose cases no longer hold when a fact of that class changed (cosmetic: none, never a failure).
 */
export const CLASS_SUITES: Readonly<Record<DriftClass, readonly string[]>> = {
  'cpu-visible': ['cpu-features', 'encryption', 'guest-images', 'live-migration'],
  hypervisor: ['host-os', 'cpu-features', 'guest-images', 'encryption', 'live-migration'],
  firmware: ['server-inventory', 'host-os', 'cpu-features'],
  inventory: ['server-inventory'],
  cosmetic: [],
};

/**
 * How a fact's two values are compared: `value` (equal as JSON), `set` (a list whose order does not matter: CPU
 * flags), `tokens` (a space-separated string whose order does not matter: the kernel command line), `record` (a
 * map compared key by key, one row per key: vulnerabilities), `within1pct` (a number that moves a little without a
 * change of hardware: MemTotal shifts by what each kernel reserves; a DIMM is more than 1 %).
 */
export type CompareKind = 'value' | 'set' | 'tokens' | 'record' | 'within1pct';

export interface FactRule {
  /** Dotted path into HostFacts; a rule covers its whole subtree. */
  path: string;
  class: DriftClass;
  /**
   * The fact commands (FACT_COMMANDS) whose output the fact is parsed from: it counts as recorded in a run when any
   * of them answered there (not unavailable, not unparsed, its group gathered). Empty: recorded when present.
   */
  sources: readonly FactCommand[];
  compare?: CompareKind;
  /** Reads the compared value when it is not the value at `path`. */
  read?: (value: unknown) => unknown;
  /** Why this class, where it is not obvious (docs/drift.md says it too). */
  why?: string;
  /**
   * Expected from work in progress (the issue that adds the field): classified ahead, shape unknown, compared as a
   * whole. The unit test fails once HostFacts has the field, to have its sources filled in and the mark dropped.
   */
  pending?: string;
}

const CPU: FactCommand[] = ['cpuinfo', 'lscpuJson'];
const KVM_PARAMS: FactCommand[] = ['kvmIntelParams', 'kvmAmdParams'];

/** Every fact assembleFacts() produces, classified. Order = the order of the drift table. */
export const FACT_RULES: readonly FactRule[] = [
  { path: 'arch', class: 'cpu-visible', sources: ['arch', 'lscpuJson'] },
  { path: 'cpu.vendor', class: 'cpu-visible', sources: CPU },
  { path: 'cpu.modelName', class: 'cpu-visible', sources: CPU },
  { path: 'cpu.family', class: 'cpu-visible', sources: CPU },
  { path: 'cpu.model', class: 'cpu-visible', sources: CPU },
  { path: 'cpu.stepping', class: 'cpu-visible', sources: CPU },
  { path: 'cpu.arm', class: 'cpu-visible', sources: CPU },
  { path: 'cpu.microcode', class: 'cpu-visible', sources: ['microcode', 'cpuinfo'] },
  { path: 'cpu.flags', class: 'cpu-visible', sources: CPU, compare: 'set' },
  { path: 'cpu.bugs', class: 'cpu-visible', sources: ['cpuinfo'], compare: 'set' },
  {
    path: 'vulnerabilities',
    class: 'cpu-visible',
    sources: ['vulnerabilities'],
    compare: 'record',
    why: "sysfs only: lscpu's fallback spells the same state differently (`Mitigation; PTI`)",
  },
  { path: 'kvm.nested', class: 'cpu-visible', sources: KVM_PARAMS, why: 'what nested guests see' },
  { path: 'kvm.ept', class: 'cpu-visible', sources: KVM_PARAMS, why: 'two-level paging under guests' },
  { path: 'kvm.npt', class: 'cpu-visible', sources: KVM_PARAMS, why: 'two-level paging under guests' },
  { path: 'os.id', class: 'hypervisor', sources: ['osRelease'] },
  { path: 'os.versionId', class: 'hypervisor', sources: ['osRelease'] },
  { path: 'kernel.release', class: 'hypervisor', sources: ['kernelRelease'] },
  { path: 'kernel.cmdline', class: 'hypervisor', sources: ['cmdline'], compare: 'tokens' },
  { path: 'qemu.version', class: 'hypervisor', sources: ['qemuX86', 'qemuArm', 'qemuKvm'] },
  { path: 'qemu.binary', class: 'hypervisor', sources: ['qemuX86', 'qemuArm', 'qemuKvm'] },
  { path: 'libvirt.version', class: 'hypervisor', sources: ['libvirtd', 'virshVersion'] },
  { path: 'kvm.device', class: 'hypervisor', sources: ['kvmDevice'] },
  { path: 'kvm.module', class: 'hypervisor', sources: KVM_PARAMS },
  {
    path: 'memory.hugepagesTotal',
    class: 'hypervisor',
    sources: ['meminfo'],
    why: 'host configuration the host-os suite checks',
  },
  { path: 'memory.hugepageSizeKiB', class: 'hypervisor', sources: ['meminfo'] },
  { path: 'iommu.enabled', class: 'hypervisor', sources: ['iommuGroups'], why: 'kernel command line and VT-d/AMD-Vi' },
  {
    path: 'extra.xtsAes',
    class: 'hypervisor',
    sources: ['crypto'],
    read: (v) => (v && typeof v === 'object' ? ((v as { driver?: unknown }).driver ?? undefined) : undefined),
    why: "the kernel's xts(aes) driver; compared by driver name (the encryption suite records more under that key)",
  },
  { path: 'openssh.version', class: 'hypervisor', sources: ['sshVersion'] },
  { path: 'cryptsetup.version', class: 'hypervisor', sources: ['cryptsetupVersion'] },
  { path: 'dmi.sysVendor', class: 'firmware', sources: ['dmi'] },
  { path: 'dmi.productName', class: 'firmware', sources: ['dmi'] },
  { path: 'dmi.boardName', class: 'firmware', sources: ['dmi'] },
  { path: 'dmi.biosVendor', class: 'firmware', sources: ['dmi'] },
  { path: 'dmi.biosVersion', class: 'firmware', sources: ['dmi'] },
  { path: 'dmi.biosDate', class: 'firmware', sources: ['dmi'] },
  {
    path: 'virtualised.kind',
    class: 'firmware',
    sources: ['cpuinfo', 'lscpuJson', 'dmi', 'hypervisorType', 'detectVirt'],
    why:
      'bare metal or a VM is the platform under the OS, as the DMI product is; what a guest sees of it ' +
      '(the hypervisor CPU flag) is already compared in cpu.flags',
  },
  { path: 'memory.totalKiB', class: 'inventory', sources: ['meminfo'], compare: 'within1pct' },
  { path: 'numaNodes', class: 'inventory', sources: ['numaNodes', 'lscpuJson'] },
  { path: 'cpu.sockets', class: 'inventory', sources: CPU },
  { path: 'cpu.coresPerSocket', class: 'inventory', sources: CPU },
  { path: 'cpu.threadsPerCore', class: 'inventory', sources: CPU },
  { path: 'cpu.threads', class: 'inventory', sources: CPU },
  { path: 'iommu.groups', class: 'inventory', sources: ['iommuGroups'], why: 'follows the PCI devices' },
  {
    path: 'cpu.topologyConsistent',
    class: 'inventory',
    sources: CPU,
    why: 'a host whose cpuinfo and lscpu stop agreeing on its topology has changed how it reports its CPUs',
  },
  { path: 'hostname', class: 'cosmetic', sources: ['hostname'] },
  { path: 'os.prettyName', class: 'cosmetic', sources: ['osRelease'], why: 'spells out os.id and os.versionId' },
  { path: 'os.versionCodename', class: 'cosmetic', sources: ['osRelease'], why: 'names os.versionId' },
  {
    path: 'extra.iommuCmdline',
    class: 'cosmetic',
    sources: ['cmdline'],
    why: 'the IOMMU switches of kernel.cmdline, compared there',
  },
];

/** HostFacts fields drift does not compare, and why. */
export const IGNORED_FACTS: Readonly<Record<string, string>> = {
  'kvm.usable': 'set by the VM driver when a case boots a guest, not by a fact command',
  extra:
    "facts the qualified run's cases added (cpuPool.*, guestCrypto:*, os, qemu…): results of that run, not of the " +
    "fact commands; the fact commands' own extras are classified above (extra.xtsAes, extra.iommuCmdline)",
  'virtualised.evidence': 'the answers virtualised.kind was read from (compared as that kind)',
  'cpu.topologyProblems': 'spells out cpu.topologyConsistent: false (the contradicting numbers)',
  'extra.unavailable': 'bookkeeping: which fact commands did not answer (drift reads it to tell "not recorded")',
  'extra.unparsed': 'bookkeeping: which fact commands answered something unparseable (read likewise)',
  'extra.factsNotGathered': 'bookkeeping: which fact groups the run did not ask for (read likewise)',
};
