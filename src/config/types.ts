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

export interface PlanConfig {
  file: string;
  sha256: string;
  name: string;
  suites: string[];
  hosts: { labels?: Record<string, string>; names?: string[] };
  /** Severity per suite name or per case id (`suite/case`). */
  severity: Record<string, 'blocker' | 'major' | 'minor'>;
  /** Parameters the suites read (qemu: ">=7.2", kernelCmdline: [...], …). */
  require: Record<string, unknown>;
  concurrency: number;
  timeouts: { case: number };
  retries: number;
  retryFailed: boolean;
  /** Matrix axes beyond hosts (guest images, CPU models…), read by the suites that use them. */
  matrix: Record<string, unknown[]>;
  /** Free-form per-suite settings (e.g. migration pairs). */
  settings: Record<string, unknown>;
  /**
   * Which host facts to gather before the cases: 'all' (the default when absent), 'none', or fact groups
   * (identity, cpu, memory, firmware, security, virt — src/runner/fact-groups.ts).
   */
  facts?: FactSelection;
}

export type FactGroup = 'identity' | 'cpu' | 'memory' | 'firmware' | 'security' | 'virt';
export type FactSelection = 'all' | 'none' | FactGroup[];
