import type { HostFacts } from '../model/facts.ts';
import type { CaseChart, Sample } from '../model/result.ts';
import type { ExecOptions, ExecResult } from '../model/exec.ts';
import type { Severity } from '../model/status.ts';
import type {
  AccelChoice,
  FactGroup,
  HostExpect,
  PlanMatrix,
  PlanRequire,
  PlanSettings,
  VmDriver,
} from '../config/types.ts';
import type { Transport } from '../transport/types.ts';

/** What a suite sees of a host. */
export interface HostInfo {
  name: string;
  address: string;
  /** Where other hosts send this host live-migration data (the lab's `migrationAddress`, default `address`). */
  migrationAddress: string;
  labels: Record<string, string>;
  facts: HostFacts;
  expect?: HostExpect;
  /** True when the host is a replayed profile (recorded or assembled), not a live machine. */
  replayed: boolean;
}

/**
 * What a suite sees of the plan, validated and typed at the edge (src/config): `require` and `settings` hold what
 * the suites' plan-schema.ts files declare (declaration merging into PlanRequire / PlanSettings), `matrix` the
 * typed axes, `accel` the accelerator choice and `driver` the VM driver, with their defaults. No suite casts it.
 */
export interface PlanView {
  name: string;
  require: PlanRequire;
  matrix: PlanMatrix;
  settings: PlanSettings;
  accel: AccelChoice;
  /** Who starts the guests: qemu (default) or libvirt (domain XML and virsh, as Nova does). */
  driver: VmDriver;
  /** Every host of the run (the plan's selection, lab order), for cases that span hosts (a pool's CPU baseline). */
  hosts?: HostInfo[];
}

/** A fact a case needs; a host that lacks it gets the case skipped with the reason. */
export type Requirement =
  | { cpuFlag: string }
  | { arch: string }
  /** Dotted path into HostFacts, e.g. `kvm.device`, `qemu.version`. */
  | { fact: string; equals?: string | number | boolean }
  | { live: true }
  | { custom: (host: HostInfo) => string | null };

export interface CaseDef {
  id: string;
  title: string;
  tags?: string[];
  severity?: Severity;
  requires?: Requirement[];
  /**
   * Only reads state: may run alongside other cases on the same host, and its commands count as read-only (batchable).
   */
  readOnly?: boolean;
  /** Overrides the plan's case timeout. */
  timeoutSec?: number;
  /**
   * Other hosts (by name) this case also uses exclusively, e.g. the destination of a live migration: the runner
   * holds their locks too (all in name order, so two pairs never deadlock).
   */
  alsoLocks?: string[];
  /** Matrix parameters of this case (image, cpuModel…), part of its id. */
  params?: Record<string, string>;
  run(ctx: CaseContext): Promise<void>;
}

export interface SuiteDef {
  name: string;
  title: string;
  description?: string;
  /** Default severity of its cases (default major). */
  severity?: Severity;
  tags?: string[];
  /**
   * The host fact groups its cases read (in `cases`, `requires` and `run`: identity, cpu, memory, firmware, security,
   * virt — docs/host-facts.md says which fact is in which group). A plan's default `facts: auto` gathers identity and
   * the union of its suites' groups; a suite that does not say gets every group gathered. test/unit/suite-facts.test.ts
   * runs each suite with only its groups and fails when it reads another.
   */
  facts?: readonly FactGroup[];
  /**
   * How `hwqual run --shard` may split the suite: `host` (default: each suite × host a group of its own, run by
   * one shard) or `whole` (its cases span hosts — migration pairs, CPU pools — so the suite on every host is one
   * group: one shard runs all of it, and connects every host it needs).
   */
  shard?: 'host' | 'whole';
  /** The cases for one host. Host facts are known here. */
  cases(host: HostInfo, plan: PlanView): CaseDef[];
}

export interface CaseExecOptions extends Omit<ExecOptions, 'signal' | 'timeoutMs'> {
  /** Seconds; default: what is left of the case's timeout. */
  timeout?: number;
}

export interface Checks {
  /**
   * Each returns whether it held; `expect.*` throws AssertionFailure on the first that does not, `check.*` records and
   * goes on.
   */
  equal(name: string, actual: unknown, expected: unknown): boolean;
  match(name: string, actual: string | undefined, pattern: RegExp | string): boolean;
  atLeast(name: string, actual: number | undefined, min: number): boolean;
  atMost(name: string, actual: number | undefined, max: number): boolean;
  includesAll(name: string, actual: readonly string[] | undefined, expected: readonly string[]): boolean;
  ok(name: string, condition: boolean, detail?: { expected?: unknown; actual?: unknown; message?: string }): boolean;
}

export interface CaseContext {
  host: HostInfo;
  plan: PlanView;
  params: Record<string, string>;
  signal: AbortSignal;
  /** The host's transport, for VM drivers and file access. Commands through it are not in the transcript. */
  transport: Transport;
  /**
   * Another host of the run, by name (its transport), for cases that span hosts. The case holds no lock on that
   * host: use it for reads (QMP queries, facts) or coordinate by other means.
   */
  peer?(name: string): Transport | undefined;
  log(message: string): void;
  /** Run a command on the host; any exit code resolves. Timeouts, cancels and lost connections reject (→ error). */
  exec(command: string, options?: CaseExecOptions): Promise<ExecResult>;
  /** Run a command that must succeed; returns stdout. Non-zero exit rejects with E_COMMAND (→ error). */
  run(command: string, options?: CaseExecOptions): Promise<string>;
  /** Read a file on the host, or undefined when it does not exist. */
  readFile(path: string): Promise<string | undefined>;
  artifact(name: string, data: string | Buffer): Promise<void>;
  metric(name: string, value: number): void;
  /**
   * A chart of the case's own series (plain data → CaseResult.charts, drawn inline by the HTML report). Optional:
   * a runner that does not offer it drops the chart (the case keeps its artifacts).
   */
  chart?(chart: CaseChart): void;
  /**
   * One measurement of a repeated figure (→ CaseResult.samples[figure]): summaries, gates and baselines use them.
   * Optional like chart.
   */
  sample?(figure: string, sample: Sample): void;
  /** Record a fact about the host for the report (merged into facts.extra). */
  fact(key: string, value: unknown): void;
  expect: Checks;
  check: Checks;
  fail(message: string, expected?: unknown, actual?: unknown): never;
  skip(reason: string): never;
  /** Register cleanup that runs in reverse order after the case, also on failure, timeout and cancel. */
  defer(cleanup: () => Promise<void> | void): void;
}
