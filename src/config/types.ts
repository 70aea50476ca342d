/** Typed config, as it is after src/config validated it (paths already resolved to absolute). */
import type { HostConnection } from './host-connection.ts';

export type { HostConnection, SshOptions } from './host-connection.ts';

export interface HostExpect {
  cpu?: { vendor?: string; model?: string; sockets?: number; cores?: number; threads?: number };
  memoryGiB?: { min?: number; max?: number };
  flags?: string[];
  numaNodes?: number;
  disks?: { min?: number };
  nics?: { min?: number };
  bios?: { vendor?: string; version?: string };
  product?: string;
}

/** A lab host as the config gives it: how to reach it, plus what the runner and the suites read about it. */
export interface HostConfig extends HostConnection {
  /** Where other hosts send this host live-migration data (the data plane); `address` unless the lab names one. */
  migrationAddress: string;
  labels: Record<string, string>;
  expect?: HostExpect;
  /** Lab-in-a-box: the host's own OS root (a debootstrap tree), when it runs a different host OS. */
  root?: string;
}

export interface LabConfig {
  file: string;
  sha256: string;
  hosts: HostConfig[];
}

/** How guests run: `auto` = KVM where it works, else TCG. Typed once here for every suite that boots guests. */
export type AccelChoice = 'auto' | 'kvm' | 'tcg';

/**
 * Who starts guests: `qemu` = hwqual runs QEMU itself; `libvirt` = domain XML through the host's libvirtd (virsh),
 * as Nova does. Typed once here, like AccelChoice.
 */
export type VmDriver = 'qemu' | 'libvirt';

/** A user's guest image on the `images` axis (paths are on the host that runs QEMU). */
export interface UserImageEntry {
  name: string;
  title?: string;
  /** A qcow2 or raw disk (booted through its own boot loader, or with `kernel`). VMs write to an overlay. */
  disk?: { path: string; format?: 'qcow2' | 'raw' };
  kernel?: { kernel: string; initrd?: string; append?: string };
  /** Readiness: a console regex, or the guest agent answering guest-sync. */
  ready: { console: string } | { guestAgent: true };
  /** An optional NoCloud seed made into a `cidata` ISO. */
  cloudInit?: { userData: string; metaData?: string };
  memoryMiB?: number;
}

/** One entry of the `images` axis: a built-in image by name, or a user image. */
export type ImageEntry = string | UserImageEntry;

/** The plan's matrix axes beyond hosts (`images:` and `cpuModels:` at the top, or under `matrix:`). */
export interface PlanMatrix {
  images?: ImageEntry[];
  /** QEMU CPU model specs (`max`, `Skylake-Server-v4`, `Cascadelake-Server,-hle`). */
  cpuModels?: string[];
}

/**
 * The plan's `require:` block. Each suite declares (and types) the keys it reads in its own `plan-schema.ts`, which
 * adds them here by declaration merging; src/config validates the block against the composed schema.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by the suites' declaration merging
export interface PlanRequire {}

/** The plan's `settings:` block (and its top-level shortcuts such as `migration:`): as PlanRequire, per suite. */
export interface PlanSettings {
  /** auto | kvm | tcg (top-level `accel:` is the same). */
  accel?: AccelChoice;
  /** qemu | libvirt (top-level `driver:` is the same). */
  driver?: VmDriver;
}

export interface PlanConfig {
  file: string;
  sha256: string;
  name: string;
  suites: string[];
  hosts: { labels?: Record<string, string>; names?: string[] };
  /** Severity per suite name or per case id (`suite/case`). */
  severity: Record<string, 'blocker' | 'major' | 'minor'>;
  /** Parameters the suites read (qemu: ">=7.2", kernelCmdline: [...], …), validated against the suites' schemas. */
  require: PlanRequire;
  concurrency: number;
  timeouts: { case: number };
  retries: number;
  retryFailed: boolean;
  /** Matrix axes beyond hosts (guest images, CPU models), read by the suites that use them. */
  matrix: PlanMatrix;
  /** Per-suite settings (migration, guestImages, cpuPool, encryption…), validated against the suites' schemas. */
  settings: PlanSettings;
  /**
   * Which host facts to gather before the cases: 'auto' (the default when absent: identity and the groups the plan's
   * suites declare they read), 'all', 'none', or fact groups (identity, cpu, memory, firmware, security, virt —
   * src/runner/fact-groups.ts).
   */
  facts?: FactSelection;
}

import type { FactGroup } from '../model/facts.ts';

export type { FactGroup };
export type FactSelection = 'auto' | 'all' | 'none' | FactGroup[];
