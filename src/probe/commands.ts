import type { RootNeed } from '../model/exec.ts';

/**
 * Every command the fact gathering and the host-os / server-inventory suites run, as named constants.
 * Replay profiles are keyed by these exact strings: keep them stable and simple. All of them only read state.
 * What each needs of root is declared in CMD_ROOT below.
 *
 * Listings of small sysfs files use `grep -r . DIR` (or `grep -s . GLOB`): one line per file, `path:value`.
 */
export const CMD = {
  /** x86: one block per logical CPU; Arm: "CPU implementer/part", "Features". */
  cpuinfo: 'cat /proc/cpuinfo',
  /**
   * util-linux lscpu as JSON: flat `{field,data}` list (≤2.38 on Debian) or nested with `children` (2.37 on Ubuntu,
   * ≥2.39).
   */
  lscpuJson: 'lscpu -J',
  lscpu: 'lscpu',
  osRelease: 'cat /etc/os-release',
  kernelRelease: 'uname -r',
  arch: 'uname -m',
  hostname: 'uname -n',
  cmdline: 'cat /proc/cmdline',
  meminfo: 'cat /proc/meminfo',
  /** `/sys/devices/system/cpu/vulnerabilities/<name>:<text>` per line. */
  vulnerabilities: 'grep -r . /sys/devices/system/cpu/vulnerabilities',
  /** `/sys/class/dmi/id/<field>:<value>` per line; root-only fields (serials) are simply absent for other users. */
  dmi: 'grep -s . /sys/class/dmi/id/*',
  /** BIOS (0), system (1), processor (4), memory device (17). Needs root and /dev/mem or the sysfs DMI tables. */
  dmidecode: 'dmidecode -t 0,1,4,17',
  lsblk: 'lsblk -J -d -b -o NAME,TYPE,SIZE,MODEL,SERIAL,ROTA,TRAN',
  /** `-d` adds linkinfo.info_kind for software devices (bridge, veth, ifb, bond…); physical NICs have none. */
  ipLink: 'ip -d -j link',
  crypto: 'cat /proc/crypto',
  qemuX86: 'qemu-system-x86_64 --version',
  qemuArm: 'qemu-system-aarch64 --version',
  /** RHEL and derivatives ship QEMU as /usr/libexec/qemu-kvm. */
  qemuKvm: '/usr/libexec/qemu-kvm --version',
  libvirtd: 'libvirtd --version',
  virshVersion: 'virsh --version',
  /** OpenSSH prints its version on stderr: "OpenSSH_9.2p1 Debian-2+deb12u10, OpenSSL 3.0.17 1 Jul 2025". */
  sshVersion: 'ssh -V 2>&1',
  /** "cryptsetup 2.6.1 flags: UDEV BLKID KEYRING …". */
  cryptsetupVersion: 'cryptsetup --version',
  /** Needs a running libvirtd; used by the CPU suite, not by fact gathering. */
  virshDomcapabilities: 'virsh domcapabilities',
  /** libvirt's host and guest capabilities: the machine types of each domain type. Needs a running libvirtd. */
  virshCapabilities: 'virsh capabilities',
  kvmDevice: 'ls -l /dev/kvm',
  kvmIntelParams: 'grep -s . /sys/module/kvm_intel/parameters/*',
  kvmAmdParams: 'grep -s . /sys/module/kvm_amd/parameters/*',
  iommuGroups: 'ls /sys/kernel/iommu_groups',
  /** Xen's hypervisor interface (`xen`); absent elsewhere. */
  hypervisorType: 'cat /sys/hypervisor/type',
  /** Prints the hypervisor the host runs under (kvm, vmware, microsoft…) or `none` (then exits 1). */
  detectVirt: 'systemd-detect-virt --vm',
  numaNodes: 'ls /sys/devices/system/node',
  microcode: 'cat /sys/devices/system/cpu/cpu0/microcode/version',
  /** Who hwqual logs in as: `uid=1001(qa) gid=1001(qa) groups=1001(qa),27(sudo)`. */
  login: 'id',
  /** Who the commands that need root run as (through `become`, or the login itself): `root` when they can. */
  rootUser: 'id -un',
} as const;

export type CommandName = keyof typeof CMD;

/**
 * The Debian packages each command needs on a host (empty: the kernel's /proc and /sys, coreutils or grep, which
 * every Debian root has). A lab host with its own root (`lab up --os`) is built from these: a new command above
 * without an entry here does not compile. Commands for software a plain host root leaves out name none and say why.
 */
export const CMD_PACKAGES: Readonly<Record<CommandName, readonly string[]>> = {
  cpuinfo: [],
  lscpuJson: ['util-linux'],
  lscpu: ['util-linux'],
  osRelease: [],
  kernelRelease: [],
  arch: [],
  hostname: [],
  cmdline: [],
  meminfo: [],
  vulnerabilities: [],
  dmi: [],
  dmidecode: ['dmidecode'],
  lsblk: ['util-linux'],
  ipLink: ['iproute2'],
  crypto: [],
  qemuX86: ['qemu-system-x86'],
  /** x86 lab hosts: no Arm QEMU. */
  qemuArm: [],
  /** RHEL's path: absent on Debian by design. */
  qemuKvm: [],
  /** libvirt comes with a root variant (`+libvirt`, src/vm/images/recipes.ts HOST_ROOT_VARIANTS), not the base. */
  libvirtd: [],
  virshVersion: [],
  virshDomcapabilities: [],
  virshCapabilities: [],
  sshVersion: ['openssh-client'],
  cryptsetupVersion: ['cryptsetup-bin'],
  /** Xen's /sys/hypervisor: a file of the kernel. */
  hypervisorType: [],
  /** systemd-detect-virt comes with systemd, which a minimal host root leaves out; cpuinfo's hypervisor flag and DMI
   * say the same (src/probe/virtualisation.ts reads all of them). */
  detectVirt: [],
  kvmDevice: [],
  kvmIntelParams: [],
  kvmAmdParams: [],
  iommuGroups: [],
  numaNodes: [],
  microcode: [],
  login: [],
  rootUser: [],
};

/**
 * What each command needs of root (RootNeed; the one place that says it, beside the commands): `required` — it
 * cannot work without (a non-root login without `become` skips it: "needs root on …"), `more` — root reads more
 * (with `become` it goes through sudo). A new command above without an entry here does not compile.
 */
export const CMD_ROOT: Readonly<Record<CommandName, RootNeed>> = {
  cpuinfo: 'no',
  lscpuJson: 'no',
  lscpu: 'no',
  osRelease: 'no',
  kernelRelease: 'no',
  arch: 'no',
  hostname: 'no',
  cmdline: 'no',
  meminfo: 'no',
  vulnerabilities: 'no',
  /** The serial numbers and product_uuid are readable by root only (0400); vendor, product and BIOS by anyone. */
  dmi: 'more',
  /** /dev/mem or /sys/firmware/dmi/tables/DMI (0400 root). */
  dmidecode: 'required',
  lsblk: 'no',
  ipLink: 'no',
  crypto: 'no',
  qemuX86: 'no',
  qemuArm: 'no',
  qemuKvm: 'no',
  libvirtd: 'no',
  virshVersion: 'no',
  /** Without root, virsh asks the user's own session daemon (qemu:///session), not the host's libvirtd. */
  virshDomcapabilities: 'required',
  virshCapabilities: 'required',
  sshVersion: 'no',
  cryptsetupVersion: 'no',
  hypervisorType: 'no',
  detectVirt: 'no',
  kvmDevice: 'no',
  kvmIntelParams: 'no',
  kvmAmdParams: 'no',
  iommuGroups: 'no',
  numaNodes: 'no',
  microcode: 'no',
  login: 'no',
  rootUser: 'required',
};

const BY_TEXT: ReadonlyMap<string, CommandName> = new Map(
  (Object.entries(CMD) as [CommandName, string][]).map(([name, text]) => [text, name]),
);

/** The declared need of a command of the table above, by its exact text (a suite passes `CMD.dmidecode`). */
export function rootNeedOf(command: string): RootNeed | undefined {
  const name = BY_TEXT.get(command);
  return name ? CMD_ROOT[name] : undefined;
}

/**
 * What a lab host runs besides the commands above: its sshd, the VMs of the suites (QEMU's images, busybox for
 * shell tools), the encryption suite (`cryptsetup benchmark`, `dmesg`), process control (pgrep, kill, setsid) and
 * kernel modules (modprobe).
 */
export const HOST_PACKAGES: readonly string[] = [
  'openssh-server',
  'qemu-utils',
  'busybox',
  'procps',
  'kmod',
  'util-linux',
  'cryptsetup-bin',
  'iproute2',
];

/** Every package a lab host's own root gets, sorted and without repeats. */
export function hostRootPackages(): string[] {
  return [...new Set([...HOST_PACKAGES, ...Object.values(CMD_PACKAGES).flat()])].sort();
}
