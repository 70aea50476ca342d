import { mib } from './sample.ts';
import type { Diagnosis, MigrationSample, VerdictRule } from './types.ts';

export interface DetectorOptions {
  /** The downtime limit set on the source (ms). */
  downtimeLimitMs: number;
  /** max-bandwidth set on the source (bytes/s); the bandwidth compared is min(this, measured throughput). */
  maxBandwidth?: number;
  /** Remaining not shrinking over this many passes (with expected downtime above the limit) is certain. Default 3. */
  passesWithoutProgress?: number;
  /** Give up after this long without completing (ms). */
  deadlineMs: number;
  /** No byte transferred for this long is a stall (ms). Default 5000. */
  stallMs?: number;
  /**
   * Auto-converge's max-cpu-throttle (%): while the throttle is below it the guest can still be slowed, so neither
   * pass rule is certain yet; they count only once the throttle is at the maximum (the deadline still applies).
   */
  throttleMax?: number;
  /**
   * The guest's dirty rate measured before migrating (calc-dirty-rate, bytes/s). Given, it makes the `dirty-set`
   * rule: from the first dirty set on (pass 2), a set above what the link moves in the downtime limit, of a guest
   * that dirties at least DIRTY_MARGIN × the bandwidth, can never shrink. Only for strategies that send every dirty
   * page whole at the guest's own pace (pre-copy, multifd): not xbzrle (deltas), auto-converge (throttled), post-copy.
   */
  dirtyRate?: number;
  /**
   * The `no-shrink` rule: a dirty set above that budget that did not shrink over two passes — over one when the
   * measured dirty rate (above) is at least the bandwidth. Off by default.
   */
  shrinkRule?: boolean;
}

/** The calc-dirty-rate estimate must clear the bandwidth by this much (its sampling error is a few %). */
export const DIRTY_MARGIN = 1.15;
/** A dirty set at least this share of the previous one did not shrink (the workload's own noise is ~1 %). */
export const NO_SHRINK = 0.97;

const MOVING = new Set(['setup', 'active', 'postcopy-active', 'pre-switchover', 'device', 'postcopy-recover']);

interface PassSeen {
  remaining: number;
  expected?: number;
  /** Pages the sync(s) of this pass found dirty (bytes), from the sample before. */
  dirtySet?: number;
}

/**
 * Watches query-migrate samples and says when a pre-copy migration certainly does not converge (QEMU never gives
 * up by itself) or has stalled. A stall (no bytes moving) is never called non-convergence. Feed every sample.
 */
export class ConvergenceDetector {
  private lastPass = 0;
  private hotPasses = 0;
  private readonly passes = new Map<number, PassSeen>();
  private lastTransferred = -1;
  private lastMoveAt = 0;
  private previous: MigrationSample | undefined;
  /** The fastest QEMU measured so far (bytes/s). */
  private peak = 0;
  /** The first pass seen at the maximum throttle (auto-converge); the no-progress window starts there. */
  private throttledFrom: number | undefined;

  constructor(private readonly o: DetectorOptions) {}

  observe(s: MigrationSample): Diagnosis | undefined {
    const before = this.previous;
    this.previous = s;
    this.peak = Math.max(this.peak, s.throughput);
    if (!MOVING.has(s.status)) return undefined;
    // QEMU's setup moves no RAM yet (under TCG QEMU 7.2's first dirty sync scans the vCPU's TLB per dirty page:
    // seconds with a TLB a busy guest grew): the stall clock starts once it is over; a setup that never ends meets the
    // deadline.
    if (s.status === 'setup' || s.transferred > this.lastTransferred) {
      this.lastTransferred = s.transferred;
      this.lastMoveAt = s.t;
    } else if (s.t - this.lastMoveAt >= (this.o.stallMs ?? 5000)) {
      return {
        kind: 'stalled',
        message:
          `stalled: no bytes transferred for ${((s.t - this.lastMoveAt) / 1000).toFixed(1)} s ` +
          `(status ${s.status}, ${mib(s.transferred)} MiB sent, ${mib(s.remaining)} MiB remaining)`,
      };
    }
    if (s.status === 'postcopy-active') return undefined; // post-copy always finishes; only a stall can stop it
    if (s.syncCount > this.lastPass) {
      this.lastPass = s.syncCount;
      const found = this.onPass(s, before);
      if (found) return found;
    }
    if (s.t >= this.o.deadlineMs)
      return this.verdict(s, 'deadline', `no completion within ${(this.o.deadlineMs / 1000).toFixed(1)} s`);
    return undefined;
  }

  private onPass(s: MigrationSample, before: MigrationSample | undefined): Diagnosis | undefined {
    const seen: PassSeen = { remaining: s.remaining, expected: s.expectedDowntimeMs };
    const set = before && before.syncCount < s.syncCount ? dirtySet(before, s) : undefined;
    if (set !== undefined) seen.dirtySet = set;
    this.passes.set(s.syncCount, seen);
    // Pass 1 is the initial sync; the first dirty rate that means anything comes with pass 2 (after the bulk copy).
    if (s.syncCount < 2) return undefined;
    if (this.o.throttleMax !== undefined && (s.throttlePct ?? 0) < this.o.throttleMax) {
      this.hotPasses = 0;
      this.throttledFrom = undefined;
      return undefined;
    }
    this.throttledFrom ??= s.syncCount;
    const atMax = this.o.throttleMax !== undefined ? ` at the maximum throttle ${this.o.throttleMax} %` : '';
    const found = this.dirtySetRules(s, seen);
    if (found) return found;
    const bw = this.bandwidth();
    this.hotPasses = bw > 0 && s.dirtyRate >= bw ? this.hotPasses + 1 : 0;
    if (this.hotPasses >= 2) {
      return this.verdict(s, 'dirty-rate', `dirty rate ${mib(s.dirtyRate)} MiB/s ≥ bandwidth ${mib(bw)} MiB/s${atMax}`);
    }
    const k = this.o.passesWithoutProgress ?? 3;
    const first = this.passes.get(s.syncCount - k);
    // "Stays above": every pass of the window expected more downtime than the limit, not just this one.
    const window = Array.from({ length: k + 1 }, (_, i) => this.passes.get(s.syncCount - i));
    const aboveLimit = window.every((p) => p !== undefined && (p.expected ?? Infinity) > this.o.downtimeLimitMs);
    if (first && s.syncCount - k >= Math.max(2, this.throttledFrom) && s.remaining >= first.remaining && aboveLimit) {
      return this.verdict(
        s,
        'no-progress',
        `remaining ${mib(s.remaining)} MiB did not shrink over ${k} passes${atMax}, expected ` +
          `downtime ${s.expectedDowntimeMs ?? '?'} ms > limit ${this.o.downtimeLimitMs} ms`,
      );
    }
    return undefined;
  }

  /**
   * The two rules on the pass's dirty set against what the link moves in the downtime limit. The link is taken at its
   * best — the cap, or the fastest QEMU has measured in this migration when no cap is known — so a slow moment (a
   * busy host) never makes a set look too big to send: a wrong "certain" is worse than a late one.
   */
  private dirtySetRules(s: MigrationSample, seen: PassSeen): Diagnosis | undefined {
    const set = seen.dirtySet;
    if (set === undefined) return undefined;
    const bw = this.o.maxBandwidth ?? this.peak;
    const budget = (bw * this.o.downtimeLimitMs) / 1000;
    if (bw <= 0 || set <= budget) return undefined;
    const over =
      `the dirty set of pass ${s.syncCount} (${mib(set)} MiB) is above what the link moves in the downtime limit ` +
      `(${mib(budget)} MiB = ${mib(bw)} MiB/s × ${this.o.downtimeLimitMs} ms)`;
    const rate = this.o.dirtyRate;
    if (rate !== undefined && rate >= DIRTY_MARGIN * bw) {
      return this.verdict(
        s,
        'dirty-set',
        `${over} and the guest dirties ${mib(rate)} MiB/s (calc-dirty-rate before migrating) ≥ ` +
          `${mib(bw)} MiB/s: no pass can shrink it`,
      );
    }
    if (!this.o.shrinkRule) return undefined;
    // Did not shrink over a pass: certain with the measured rate at or above the bandwidth, else over two passes.
    const from = Math.max(2, this.throttledFrom ?? 2);
    const flat = (k: number) => {
      const [a, b] = [this.passes.get(k - 1)?.dirtySet, this.passes.get(k)?.dirtySet];
      return k - 1 >= from && a !== undefined && b !== undefined && a > budget && b >= NO_SHRINK * a;
    };
    const k = s.syncCount;
    const withRate = rate !== undefined && rate >= bw;
    if (flat(k) && (withRate || flat(k - 1))) {
      const atMax = this.o.throttleMax !== undefined ? ` at the maximum throttle ${this.o.throttleMax} %` : '';
      const since = withRate && !flat(k - 1) ? k - 1 : k - 2;
      return this.verdict(
        s,
        'no-shrink',
        `${over} and did not shrink since pass ${since} (${mib(this.passes.get(since)!.dirtySet!)} MiB)${atMax}` +
          (withRate && !flat(k - 1)
            ? `, the guest dirtying ${mib(rate!)} MiB/s (calc-dirty-rate) ≥ the bandwidth`
            : ''),
      );
    }
    return undefined;
  }

  /**
   * The bandwidth the dirty rate is compared with: min(the cap, the fastest QEMU measured in this migration) — never
   * the moment's throughput, which a host starved of CPU drops far below the link (7 MiB/s under a 32 MiB/s cap was
   * seen, and a guest dirtying 22 MiB/s looked certain not to converge).
   */
  private bandwidth(): number {
    const cap = this.o.maxBandwidth ?? Infinity;
    return this.peak > 0 ? Math.min(cap, this.peak) : cap === Infinity ? 0 : cap;
  }

  private verdict(s: MigrationSample, rule: VerdictRule, why: string): Diagnosis {
    return {
      kind: 'not-converging',
      certainAtPass: s.syncCount,
      rule,
      atMs: s.t,
      message: `does not converge: ${why}, ${s.syncCount} passes in ${(s.t / 1000).toFixed(1)} s`,
    };
  }
}

/**
 * What the sync(s) between two samples found dirty (bytes): remaining only grows by a sync and only shrinks by
 * sending, so the set is the growth of remaining plus what was sent meanwhile — exact with page counts, whatever the
 * sampling lag (with bytes on the wire when the source gives no page counts: zero pages then count as nothing). Pure.
 */
export function dirtySet(before: MigrationSample, after: MigrationSample): number {
  const page = after.pageSize ?? 4096;
  const sent =
    after.pagesSent !== undefined && before.pagesSent !== undefined
      ? (after.pagesSent - before.pagesSent) * page
      : after.transferred - before.transferred;
  return Math.max(0, after.remaining - before.remaining + sent);
}
