/** Plain data of one live migration: samples, passes, predictions and verdicts (JSON-serialisable). */

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
}

export type Diagnosis =
  | { kind: 'not-converging'; certainAtPass: number; message: string }
  | { kind: 'stalled'; message: string };
