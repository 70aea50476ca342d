import type { Transport } from '../transport/types.ts';
import type { Accel } from '../vm/spec.ts';
import type { Vm } from '../vm/vm.ts';
import type { HeartbeatStream } from './hb-stream.ts';
import type { HeartbeatAnalysis } from './heartbeat.ts';
import type { SideSettings, Strategy } from './strategy.ts';

/**
 * The migration wing's shared types, in one file that imports none of the steps: the plain data of one live
 * migration (samples, passes, predictions, hop reports and their records — JSON-serialisable) and the handles the
 * steps pass each other (endpoints, guests).
 */

/** One `query-migrate` reading, `t` in ms since `migrate` was sent. Rates in bytes/s. */
export interface MigrationSample {
  t: number;
  status: string;
  transferred: number;
  remaining: number;
  total: number;
  /** Dirty rate QEMU measured at the last sync (dirty-pages-rate × page-size). */
  dirtyRate: number;
  /** Throughput QEMU measured (mbps → bytes/s). */
  throughput: number;
  syncCount: number;
  expectedDowntimeMs?: number;
  throttlePct?: number;
  /** QEMU's setup-time, once past setup (ms): a cancelled migration's last answer no longer gives it. */
  setupMs?: number;
  /**
   * RAM pages sent so far, zero pages included (`ram.normal` + `ram.duplicate`): with `remaining` it gives the dirty
   * set each sync found exactly (detect.ts). Absent where the source does not say (then `transferred` stands in).
   */
  pagesSent?: number;
  /** Page size (bytes) when not 4096. */
  pageSize?: number;
}

/** One dirty-sync pass, as the first sample that showed its sync count saw it. */
export interface PassRecord {
  pass: number;
  t: number;
  remaining: number;
  transferred: number;
  dirtyRate: number;
  throughput: number;
  expectedDowntimeMs?: number;
  throttlePct?: number;
}

export interface PrecopyInput {
  /** Non-zero guest RAM to send in the first pass (bytes). */
  ramBytes: number;
  /** Link/limit bandwidth (bytes/s). */
  bandwidth: number;
  /** Guest dirty rate (bytes/s). */
  dirtyRate: number;
  /** Working set the dirtying rewrites (bytes): a pass never resends more than this. */
  workingSet: number;
  downtimeLimitMs: number;
  /** Device state and other fixed costs sent during the downtime (bytes), default 1 MiB. */
  deviceBytes?: number;
  /** Stop simulating after this many passes (default 30). */
  maxPasses?: number;
  /** QEMU's setup before the first byte moves (ms, part of its total-time), default 0. */
  setupMs?: number;
  /** The migration is cancelled after this long (ms): a convergence that needs longer does not converge here. */
  deadlineMs?: number;
}

export interface Prediction {
  converges: boolean;
  passes: number;
  /** null when it does not converge. */
  totalMs: number | null;
  downtimeMs: number;
  /** Dirty rate ÷ bandwidth. */
  lambda: number;
  reason: string;
  /** It would converge, but only after the deadline: how long it would need (ms). */
  wouldNeedMs?: number;
  /**
   * The outcome flips within the inputs' error (predict.ts uncertainty): "uncertain: …" with what the other side
   * gives. Such a cell is counted apart, never forced into a call.
   */
  uncertain?: string;
}

/**
 * Which rule called a non-convergence (detect.ts): `dirty-set` — the pass's dirty set is above what the link moves
 * in the downtime limit and the guest dirties at least the bandwidth (calc-dirty-rate before migrating);
 * `no-shrink` — the dirty set, above that budget, did not shrink over a pass; `dirty-rate` — QEMU's dirty rate at
 * two syncs in a row ≥ the bandwidth; `no-progress` — remaining did not shrink over N passes with the expected
 * downtime above the limit; `deadline` — the last resort.
 */
export type VerdictRule = 'dirty-set' | 'no-shrink' | 'dirty-rate' | 'no-progress' | 'deadline';

export type Diagnosis =
  | {
      kind: 'not-converging';
      certainAtPass: number;
      message: string;
      /** The rule that called it, and when (ms since `migrate`). */
      rule?: VerdictRule;
      atMs?: number;
    }
  | { kind: 'stalled'; message: string };

/**
 * One host of a migration: its name, its transport, and the address migration data is sent to (the lab's
 * migrationAddress).
 */
export interface Endpoint {
  name: string;
  transport: Transport;
  address: string;
}

/**
 * A fault injected into the first hop, `afterMs` after `migrate` — or, with `after: 'postcopy'`, after the post-copy
 * switchover (the recovery cases). `link-down` cuts the destination's link for `downForMs`.
 */
export type Fault =
  | { kind: 'kill-destination'; afterMs: number; after?: 'start' | 'postcopy' }
  | {
      kind: 'link-down';
      afterMs: number;
      after?: 'start' | 'postcopy';
      setLink: (state: 'up' | 'down') => Promise<void>;
      downForMs: number;
    };

/** The workload guest to boot: accelerator, CPU, RAM, and how much memory it rewrites how fast. */
export interface WorkloadGuest {
  accel: Accel;
  cpu?: string;
  machine?: string;
  memoryMiB: number;
  /** Working set (MiB) and the rate it is rewritten at (MiB/s). */
  wssMiB: number;
  dirtyMiBps: number;
  /** A data disk the workload stamps and verifies too (its /dev/vda): on storage both hosts share. */
  dataDisk?: WorkloadDisk;
}

/**
 * The workload guest's data disk: one image file on shared storage (the same path on both hosts), a qcow2 with LUKS
 * inside when `keyFiles` is given — each host's QEMU reads the key from that host's own file (0600), by host name.
 */
export interface WorkloadDisk {
  path: string;
  format: 'qcow2' | 'raw';
  keyFiles?: Record<string, string>;
  /** QEMU's secret object id (the `ps` check looks for it). */
  secretId?: string;
  /** How much of the disk the workload stamps (KiB, default 4096) and how fast it rewrites it (KiB/s, default 64). */
  stampKiB?: number;
  rateKiBps?: number;
}

/** A running workload guest: its VM and the heartbeat stream read from its serial port. */
export interface GuestHandle {
  vm: Vm;
  hb: HeartbeatStream;
  label: string;
}

/** `lost`: a post-copy migration whose recovery failed; the guest runs on neither host. */
export type HopOutcome = 'completed' | 'not-converging' | 'stalled' | 'failed' | 'cancelled' | 'lost';

export interface VerdictCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** One migration A→B: what was asked, what QEMU and the guest showed, and the verdict's checks. Plain data. */
export interface HopReport {
  from: string;
  to: string;
  strategy: Strategy;
  outcome: HopOutcome;
  diagnosis?: string;
  /** Where the guest runs afterwards. */
  guestOn: string;
  uri: string;
  settings: { source: SideSettings; destination: SideSettings };
  metrics: {
    totalMs?: number;
    setupMs?: number;
    downtimeMs?: number;
    blackoutMs?: number;
    /** What blackoutMs can be off by (heartbeat.ts resolutionMs). */
    blackoutResolutionMs?: number;
    transferredBytes?: number;
    passes?: number;
    throttlePct?: number;
    measuredDirtyMiBps?: number;
    postcopyRequests?: number;
    /** Per strategy (strategyMetrics): precopy/downtime/postcopy/multifd bytes, xbzrle cache counters. */
    [strategyMetric: string]: number | undefined;
  };
  prediction?: Prediction;
  /** |predicted − measured| ÷ measured total time, for a converging prediction of a completed migration. */
  predictionError?: number;
  /**
   * What Nova does with this migration: `predicted` from the measured passes (novaOutcome); on the libvirt path also
   * `executed` — Nova's schedule run against the real job — and, when the two part, the disagreement with both.
   */
  nova?: { predicted: NovaOutcome; executed?: NovaExecuted; disagreement?: string };
  /** The libvirt path: the virsh migrate command, its flags, and the job's last words. */
  libvirt?: LibvirtHopRecord;
  samples: MigrationSample[];
  passes: PassRecord[];
  events: Array<{ t: number; event: string; data?: Record<string, unknown> }>;
  heartbeat?: HeartbeatAnalysis;
  checks: VerdictCheck[];
  fault?: string;
  /** When the hop ran on the controller's clock (epoch ms): the window the blackout is looked for in. */
  window: { from: number; to: number };
  /** Hosts whose cleanup could not run yet (unreachable): it runs once they answer again. */
  cleanupPending: string[];
  /** Every cleanup that had to wait for its host, with how it ended: the history stays after it ran. */
  cleanups?: CleanupRecord[];
  /** Post-copy recovery after a link fault past the switchover: paused, link back, resumed, recovered or lost. */
  recovery?: RecoveryRecord;
  /**
   * A non-convergence verdict: the rule that made it, at which pass and second (ms since `migrate`). The detector's
   * own call; the deadline is the last resort.
   */
  called?: { rule: VerdictRule; pass: number; atMs: number };
  /**
   * QEMU's final figures missing from a completed migration (`total-time`, `downtime`): never recorded as 0; the
   * metrics leave them out, `figuresNote` says so, and the case is an error (the harness could not read them).
   */
  notReported?: string[];
  figuresNote?: string;
  /** How many more `query-migrate` the final figures took after QEMU said `completed` (QEMU 7.2 says it first). */
  figuresRequeried?: number;
}

/**
 * A cleanup that could not run when it was due (its host did not answer), and how it ended. Kept in the hop's
 * report after it ran, so the history says it was pending. Times are epoch ms on the controller's clock.
 */
export interface CleanupRecord {
  host: string;
  role: 'source' | 'destination';
  /** The VM's work dir on that host: what must go (with any QEMU that names it). */
  workDir: string;
  pendingSince: number;
  state: 'pending' | 'cleaned' | 'left';
  resolvedAt?: number;
  /** How long the host was silent before the cleanup could run (ms). */
  waitedMs?: number;
  detail: string;
}

/**
 * Post-copy recovery after a link fault past the switchover (the guest cannot fall back to A any more). Times in ms
 * since `migrate`, on the hop's clock. `not-needed`: the migration completed before the pause took effect.
 */
export interface RecoveryRecord {
  outcome: 'recovered' | 'lost' | 'not-needed';
  stalledAt: number;
  pausedAt?: number;
  linkBackAt?: number;
  resumedAt?: number;
  recoveredAt?: number;
  /** The destination's new listening URI (`migrate-recover`). */
  uri?: string;
  sourceStatus?: string;
  destinationStatus?: string;
  /** What happened, with QEMU's own words when it said something. */
  detail: string;
  steps: Array<{ t: number; step: string }>;
}

/** What an OpenStack operator would see had Nova driven the migration (nova.ts). */
export interface NovaOutcome {
  outcome: 'completed' | 'aborted' | 'postcopy' | 'paused';
  /** null: never. */
  atSec: number | null;
  downtimeLimitMs?: number;
  message: string;
}

/** One cell of the convergence lab (grid.ts): a strategy × dirty rate × bandwidth, predicted and measured. */
export interface GridCell {
  strategy: Strategy;
  dirtyMiBps: number;
  bandwidthMiBps: number;
  /** completed, not-converging, stalled, failed, cancelled, lost — or error (the harness could not run or read it). */
  outcome: string;
  diagnosis?: string;
  totalMs?: number;
  /** QEMU's setup-time: part of total-time, before any RAM moves. */
  setupMs?: number;
  downtimeMs?: number;
  blackoutMs?: number;
  passes?: number;
  measuredDirtyMiBps: number;
  /** The prediction made before migrating, and the bandwidth it used: min(this cell's cap, the link). */
  predicted: {
    converges: boolean;
    totalMs: number | null;
    downtimeMs: number;
    passes: number;
    bandwidthMiBps?: number;
    /** Beyond the deadline: the time it would have needed (ms). */
    wouldNeedMs?: number;
    reason?: string;
    /** The dirty rate the model was given (MiB/s) and where it came from (grid.ts busyDirty, run.ts modelDirtyRate). */
    dirtyMiBps?: number;
    dirtyFrom?: string;
    /** The outcome flips within the inputs' error: what the other side gives (Prediction.uncertain). */
    uncertain?: string;
  };
  predictionError?: number;
  /**
   * The link this cell was predicted with (grid.ts, link.ts): the median of the idle link checks of the last two
   * minutes, the newest made right before the cell unless its cap was far below the link (`checked` false).
   */
  link?: CellLink;
  /** A non-convergence verdict: the rule that made it, at which pass and when (ms since `migrate`). */
  called?: { rule: VerdictRule; pass: number; atMs: number };
  /** Pass at which non-convergence was called (= called.pass, or the last pass seen at the deadline). */
  calledAtPass?: number;
  /**
   * The pass from which the non-convergence was certain by the evidence: the first dirty set above what the link
   * moves in the downtime limit of a guest dirtying at least the bandwidth (pass 2), else the first dirty set that
   * did not shrink over a pass. Absent: not determinable from what the migration showed.
   */
  certainAtPass?: number;
  /** Each sync QEMU made (grid-stats.ts syncsOf): when, what was sent by then, the dirty set it found. */
  syncs?: Array<{ pass: number; atMs: number; sentMiB: number; dirtySetMiB: number }>;
  nova?: string;
  error?: string;
}

/** The idle migration that measures the link with QEMU's cap lifted. */
export interface Calibration {
  /** What the idle guest's bulk pass sent (MiB): the model's RAM. */
  transferredMiB: number;
  totalMs: number;
  setupMs: number;
  /** What the link gave: transferred ÷ (total − setup), MiB/s. */
  linkMiBps: number;
  /** The max-bandwidth it ran with (MiB/s): the cap lifted. */
  capMiBps: number;
  /** With several calibration runs, each one's link (MiB/s); the figures above are the median run's. */
  runsMiBps?: number[];
  /**
   * A busy check (link.ts checkLinkOnce): the guest ran the cell's workload at this dirty rate (MiB/s), and the link
   * is what its bulk pass moved (totalMs: when pass 2 began); absent or 0 for an idle check.
   */
  dirtyMiBps?: number;
  /** What the busy check's workload really stamped while its bulk pass ran (its heartbeats, MiB/s). */
  stampMiBps?: number;
}

/** The link a cell was predicted with: min(its cap, this) is its bandwidth. */
export interface CellLink {
  /** The median of the recent link checks (MiB/s). */
  MiBps: number;
  /** QEMU's setup time in the same checks (median, ms): the model's setup. */
  setupMs: number;
  /** Each recent check's link (MiB/s), oldest first. */
  runsMiBps: number[];
  /** Whether a link check ran right before this cell. */
  checked: boolean;
  /** The checks' guest dirtied at this rate (MiB/s): the cell's own (busy checks), absent for idle checks. */
  dirtyMiBps?: number;
  /** The busy checks' workload stamped at this rate while their bulk pass ran (median, MiB/s). */
  stampMiBps?: number;
  /** The check before this cell failed (the older checks stand): why. */
  checkError?: string;
}

/** The convergence lab's result: the calibration, the setup, and every cell. Plain data (convergence-map.json). */
export interface ConvergenceMap {
  pair: [string, string];
  accel: string;
  guest: { memoryMiB: number; wssMiB: number };
  downtimeLimitMs: number;
  deadlineMs: number;
  calibration: Calibration;
  /** Each cell checked the link again before it (grid.ts); maps written before 2026-12-07 lack it. */
  linkChecks?: boolean;
  /** The lab link's shaping while the grid ran (`lab shape --rate`), when one was set. */
  shapedTo?: string;
  cells: GridCell[];
}

export interface NovaExecuted {
  /** Each downtime step applied: when (s since the migration started) and the limit (ms). */
  downtimeSteps: Array<{ atSec: number; ms: number }>;
  /** The completion timeout (s), null when it is off (0). */
  timeoutSec: number | null;
  /** What the timeout action did, when it came. */
  timeoutAction?: { atSec: number; action: 'abort' | 'postcopy' | 'pause'; result: string };
  /** How the migration ended under Nova's hands, in the words of NovaOutcome. */
  outcome: NovaOutcome['outcome'];
  atSec: number | null;
  message: string;
}

/** What the libvirt path of a hop ran and saw (plain data, in the hop's report). */
export interface LibvirtHopRecord {
  domain: string;
  /** `virsh migrate …` as run on the source (the --xml file is the destination's domain XML). */
  command: string[];
  novaFlags: string[];
  strategyFlags: string[];
  uri: string;
  migrateUri: string;
  /** The CPU model as the domain names it, and the QEMU model it stands for. */
  cpuModel?: { libvirt: string; qemu?: string };
  /** The machine type the domain runs (its live XML). */
  machine?: string;
  /** virsh migrate's exit and its last words when it failed (aborted, destination gone…). */
  exit: number | null;
  error?: string;
  /** Guest RAM libvirt gave (KiB) and what that did to the TCG padding. */
  memory?: { askedKiB: number; gotKiB?: number; note?: string };
  /** Where the completed job's figures came from: the destination's incoming job, or the source's failed one. */
  figuresFrom?: string;
}
