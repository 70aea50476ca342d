import type { CpuModelChoice, MachineChoice } from '../migration/index.ts';

/**
 * The plain data of a rolling-upgrade rehearsal (rehearsal.json): the pool, its guests, every step with its figures,
 * the invariants as checked, and where each guest ran at the end. JSON-serialisable; rehearsal.md and the JUnit are
 * rendered from it.
 */
export interface RehearsalReport {
  pool: string;
  /** The release every host runs at the end, e.g. `debian-13`. */
  to: string;
  lab: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** passed: every step and invariant held; failed: a step or invariant did not; interrupted: SIGINT. */
  outcome: 'passed' | 'failed' | 'interrupted';
  /** Why it stopped, when it did. */
  stoppedBy?: string;
  hosts: RehearsalHost[];
  guest: {
    memoryMiB: number;
    wssMiB: number;
    dirtyMiBps: number;
    accel: string;
    cpu: CpuModelChoice;
    machine?: MachineChoice;
  };
  guests: RehearsalGuest[];
  steps: RehearsalStep[];
  invariants: Invariant[];
  /** Guests left running (`--keep`), or what was torn down at the end. */
  teardown: { kept: boolean; detail: string[] };
}

export interface RehearsalHost {
  name: string;
  /** What it ran before the rehearsal and at the end (`machine` = the lab machine's own root). */
  before: string;
  after: string;
}

export interface RehearsalGuest {
  name: string;
  /** The host it was started on, and returns to once that host is upgraded. */
  home: string;
  /** Where it ran last as hwqual placed it. */
  on?: string;
  /** Where its heartbeat came from at the end (or when the rehearsal stopped). */
  located?: Location;
  /** Migrations it went through. */
  hops: number;
}

/** Where a guest's heartbeat says it runs: the host its newest line came from, or why it could not be found. */
export interface Location {
  host?: string;
  counter?: number;
  /** query-status on that host (`running`). */
  status?: string;
  /** The heartbeat is fresh (a line after the question was asked). */
  heartbeat: boolean;
  detail: string;
}

export type StepKind = 'boot' | 'evacuate' | 'reimage' | 'host-os' | 'refill' | 'skip' | 'locate';

export interface RehearsalStep {
  n: number;
  kind: StepKind;
  host: string;
  title: string;
  status: 'passed' | 'failed' | 'error' | 'skipped' | 'cancelled';
  message?: string;
  errorCode?: string;
  startedAt: string;
  durationMs: number;
  /** evacuate / refill: one per guest moved. */
  hops?: HopSummary[];
  /** host-os: the runner's cases on the re-imaged host, and where its reports are. */
  hostOs?: {
    cases: Array<{ id: string; status: string; message?: string }>;
    reports: string;
    os?: string;
    qemu?: string;
  };
  /** Guests where hwqual placed them when the step ended. */
  placement: Record<string, string>;
  metrics: Record<string, number>;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
}

/** One guest's migration within a step: the figures a rolling upgrade is judged by. */
export interface HopSummary {
  guest: string;
  from: string;
  to: string;
  outcome: string;
  diagnosis?: string;
  totalMs?: number;
  downtimeMs?: number;
  blackoutMs?: number;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
  cleanupPending: string[];
}

export interface Invariant {
  name: string;
  ok: boolean;
  detail: string;
}
