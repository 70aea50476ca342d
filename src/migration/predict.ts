import type { PrecopyInput, Prediction } from './types.ts';

/**
 * The pre-copy model (QEMU-NOTES "Pre-copy model"): pass 0 sends the RAM, each later pass sends what was
 * dirtied while the previous one ran (never more than the working set); QEMU switches over once what remains
 * fits in bandwidth × downtime limit. A convergence that needs longer than the deadline does not converge within it
 * (the migration is cancelled there). Pure.
 */
export function predictPrecopy(input: PrecopyInput): Prediction {
  const p = simulate(input);
  const deadline = input.deadlineMs;
  if (!p.converges || p.totalMs === null || deadline === undefined || p.totalMs <= deadline) return p;
  return {
    ...p,
    converges: false,
    totalMs: null,
    wouldNeedMs: p.totalMs,
    reason:
      `does not converge within the deadline of ${secs(deadline)} s ` +
      `(would need ~${secs(p.totalMs)} s: ${p.reason.replace(/^converges: /, '')})`,
  };
}

function secs(ms: number): string {
  return ms >= 10_000 ? String(Math.round(ms / 1000)) : (ms / 1000).toFixed(1);
}

function simulate(input: PrecopyInput): Prediction {
  const { ramBytes: M, bandwidth: B, dirtyRate: D, workingSet: W, downtimeLimitMs } = input;
  const device = input.deviceBytes ?? 1024 * 1024;
  const maxPasses = input.maxPasses ?? 30;
  const lambda = B > 0 ? D / B : Infinity;
  const threshold = (B * downtimeLimitMs) / 1000;
  let toSend = M;
  let elapsed = (input.setupMs ?? 0) / 1000;
  for (let pass = 1; pass <= maxPasses; pass++) {
    const t = toSend / B;
    elapsed += t;
    const dirtied = Math.min(D * t, W);
    if (dirtied + device <= threshold) {
      const downtime = ((dirtied + device) / B) * 1000;
      return {
        converges: true,
        passes: pass + 1,
        totalMs: Math.round(elapsed * 1000 + downtime),
        downtimeMs: Math.round(downtime),
        lambda,
        reason:
          `converges: ${pass} pass(es), then ${fmt(dirtied)} dirty ≤ ${fmt(threshold)} ` +
          `(bandwidth × ${downtimeLimitMs} ms)`,
      };
    }
    if (dirtied >= toSend && pass > 1) break; // no longer shrinking: steady state
    toSend = dirtied;
  }
  const floor = Math.min(W, lambda >= 1 ? W : D * (Math.min(W, M) / B));
  const why =
    lambda >= 1
      ? `dirty rate ${fmt(D)}/s ≥ bandwidth ${fmt(B)}/s`
      : `the rewritten set per pass (${fmt(floor)}) stays above bandwidth × downtime limit (${fmt(threshold)})`;
  return {
    converges: false,
    passes: maxPasses,
    totalMs: null,
    downtimeMs: Math.round(((floor + device) / B) * 1000),
    lambda,
    reason: `does not converge: ${why}`,
  };
}

/** Relative error of a prediction, |predicted − measured| ÷ measured. */
export function relativeError(predicted: number, measured: number): number {
  return measured > 0 ? Math.abs(predicted - measured) / measured : predicted === 0 ? 0 : Infinity;
}

function fmt(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
