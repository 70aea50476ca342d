/** What hwqual learned about a host. Every field is optional: a host (or a replayed profile) may not answer. */
export interface HostFacts {
  arch?: string;
  hostname?: string;
  os?: { id?: string; versionId?: string; prettyName?: string; versionCodename?: string };
  kernel?: { release?: string; cmdline?: string };
  cpu?: CpuFacts;
  memory?: { totalKiB?: number; hugepagesTotal?: number; hugepageSizeKiB?: number };
  numaNodes?: number;
  dmi?: {
    sysVendor?: string;
    productName?: string;
    biosVendor?: string;
    biosVersion?: string;
    biosDate?: string;
    boardName?: string;
  };
  kvm?: {
    /** `/dev/kvm` is a character device; absent when `ls -l /dev/kvm` gave no answer (not recorded, not asked). */
    device?: boolean;
    module?: 'kvm_intel' | 'kvm_amd';
    nested?: string;
    ept?: string;
    npt?: string;
    usable?: 'usable' | 'hangs' | 'absent';
  };
  qemu?: { version?: string; binary?: string };
  libvirt?: { version?: string };
  /** The host's OpenSSH (`ssh -V`), e.g. 9.2p1, and cryptsetup, e.g. 2.6.1: they change with the host OS. */
  openssh?: { version?: string };
  cryptsetup?: { version?: string };
  iommu?: { enabled: boolean; groups: number };
  /**
   * The host runs under a hypervisor (`kind` in systemd-detect-virt's words) or not (`none`), with what each source
   * said; absent when no source answered. A virtual host's topology, flags and DMI are what its hypervisor exposes.
   */
  virtualised?: { kind: string; evidence: string[] };
  vulnerabilities?: Record<string, string>;
  /** Free-form facts a suite or probe adds (e.g. crypto driver, CC features). */
  extra?: Record<string, unknown>;
}

export interface CpuFacts {
  vendor?: string; // GenuineIntel, AuthenticAMD, ARM vendor id
  modelName?: string;
  family?: number;
  model?: number;
  stepping?: number;
  microcode?: string;
  sockets?: number;
  coresPerSocket?: number;
  threadsPerCore?: number;
  threads?: number; // logical CPUs
  /** The topology numbers of /proc/cpuinfo and lscpu agree (absent when nothing could be compared). */
  topologyConsistent?: boolean;
  /**
   * Each contradiction with its numbers (`/proc/cpuinfo lists 8 logical CPUs, but siblings 256 × 1 package(s) = 256`).
   */
  topologyProblems?: string[];
  flags?: string[];
  /** Kernel-reported hardware bugs (x86 /proc/cpuinfo `bugs`). */
  bugs?: string[];
  /** Arm identification (from /proc/cpuinfo or lscpu); vendor/modelName hold the decoded names. */
  arm?: { implementer: string; part: string; variant?: string; revision?: number; architecture?: number };
}

/** The groups fact commands come in (src/probe/host-facts.ts FACT_GROUPS), for a plan's `facts:`. */
export type FactGroup = 'identity' | 'cpu' | 'memory' | 'firmware' | 'security' | 'virt';

/**
 * How hwqual reached a host (`facts.extra.access`): whom it logged in as, and how the commands that need root ran
 * there — as the login (root), through sudo (the lab's `become`), or not at all (`no`, with why: a non-root login
 * without `become`, or a sudo that wants a password).
 */
export interface HostAccess {
  user?: string;
  uid?: number;
  groups?: string[];
  root: 'login' | 'sudo' | 'no';
  /** `sudo -n -u root` when the lab sets become. */
  become?: string;
  why?: string;
}
