import { mib } from './sample.ts';
import type { Diagnosis, MigrationSample } from './types.ts';

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
}

const MOVING = new Set(['setup', 'active', 'postcopy-active', 'pre-switchover', 'device', 'postcopy-recover']);

/**
 * Watches query-migrate samples and says when a pre-copy migration certainly does not converge (QEMU never gives
 * up by itself) or has stalled. A stall (no bytes moving) is never called non-convergence. Feed every sample.
 */
export class ConvergenceDetector {
  private lastPass = 0;
  private hotPasses = 0;
  private readonly remainingAtPass = new Map<number, { remaining: number; expected?: number }>();
  private lastTransferred = -1;
  private lastMoveAt = 0;
  /** The first pass seen at the maximum throttle (auto-converge); the no-progress window starts there. */
  private throttledFrom: number | undefined;

  constructor(private readonly o: DetectorOptions) {}

  observe(s: MigrationSample): Diagnosis | undefined {
    if (!MOVING.has(s.status)) return undefined;
    if (s.transferred > this.lastTransferred) {
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
      const found = this.onPass(s);
      if (found) return found;
    }
    if (s.t >= this.o.deadlineMs)
      return this.verdict(s, `no completion within ${(this.o.deadlineMs / 1000).toFixed(1)} s`);
    return undefined;
  }

  private onPass(s: MigrationSample): Diagnosis | undefined {
    this.remainingAtPass.set(s.syncCount, { remaining: s.remaining, expected: s.expectedDowntimeMs });
    // Pass 1 is the initial sync; the first dirty rate that means anything comes with pass 2 (after the bulk copy).
    if (s.syncCount < 2) return undefined;
    if (this.o.throttleMax !== undefined && (s.throttlePct ?? 0) < this.o.throttleMax) {
      this.hotPasses = 0;
      this.throttledFrom = undefined;
      return undefined;
    }
    this.throttledFrom ??= s.syncCount;
    const atMax = this.o.throttleMax !== undefined ? ` at the maximum throttle ${this.o.throttleMax} %` : '';
    const bw = this.bandwidth(s);
    this.hotPasses = bw > 0 && s.dirtyRate >= bw ? this.hotPasses + 1 : 0;
    if (this.hotPasses >= 2) {
      return this.verdict(s, `dirty rate ${mib(s.dirtyRate)} MiB/s ≥ bandwidth ${mib(bw)} MiB/s${atMax}`);
    }
    const k = this.o.passesWithoutProgress ?? 3;
    const before = this.remainingAtPass.get(s.syncCount - k);
    // "Stays above": every pass of the window expected more downtime than the limit, not just this one.
    const window = Array.from({ length: k + 1 }, (_, i) => this.remainingAtPass.get(s.syncCount - i));
    const aboveLimit = window.every((p) => p !== undefined && (p.expected ?? Infinity) > this.o.downtimeLimitMs);
    if (before && s.syncCount - k >= Math.max(2, this.throttledFrom) && s.remaining >= before.remaining && aboveLimit) {
      return this.verdict(
        s,
        `remaining ${mib(s.remaining)} MiB did not shrink over ${k} passes${atMax}, expected ` +
          `downtime ${s.expectedDowntimeMs ?? '?'} ms > limit ${this.o.downtimeLimitMs} ms`,
      );
    }
    return undefined;
  }

  private bandwidth(s: MigrationSample): number {
    const cap = this.o.maxBandwidth ?? Infinity;
    return s.throughput > 0 ? Math.min(cap, s.throughput) : cap === Infinity ? 0 : cap;
  }

  private verdict(s: MigrationSample, why: string): Diagnosis {
    return {
      kind: 'not-converging',
      certainAtPass: s.syncCount,
      message: `does not converge: ${why}, ${s.syncCount} passes in ${(s.t / 1000).toFixed(1)} s`,
    };
  }
}
