import type { PrecopyInput, Prediction } from './types.ts';

/**
 * The pre-copy model (QEMU-NOTES "Pre-copy model"): pass 0 sends the RAM, each later pass sends what was
 * dirtied while the previous one ran (never more than the working set); QEMU switches over once what remains
 * fits in bandwidth × downtime limit. A convergence that needs longer than the deadline does not converge within it
 * (the migration is cancelled there).
 *
 * QEMU syncs as soon as what remains falls below bandwidth × downtime limit, so up to that much of the previous set
 * is still pending at each sync, and a pending page the guest rewrote meanwhile is not found again: the set a sync
 * finds is what the pass dirtied less those pages (ringOverlap). Per-pass samples of three grids showed it: 100/128's
 * first sets after the bulk pass were 138.6 MiB where the pass's 1.8 s at 100 MiB/s dirtied 180, and without it the
 * model over-predicted that cell by 21 % in each of four runs (4 % with it). Pure.
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

/**
 * How far the model's inputs can be off before a cell is called (grid runs on this machine): the dirty rate ±10 %
 * (page-sampling's spread; a guest stamping its exact rate before migrating still dirtied 185–200 MiB/s of 200 while
 * migrating at load 2), a measured link ±10 % (the median of recent checks; a single check swings more). A cap is
 * exact (QEMU holds a pass to 32.0 MiB/s under a 32 cap) and never varied.
 */
export const INPUT_MARGIN = 0.1;

/**
 * Whether the predicted outcome holds within the inputs' error: the model again with the dirty rate and — when the
 * link, not the cap, sets it (`linkBound`) — the bandwidth moved by `margin` each way, the guest's worst and best
 * case. When either case's outcome (converges within the deadline or not) differs from the nominal one: "uncertain:
 * …" saying what that case gives. Pure.
 */
export function uncertainty(
  input: PrecopyInput,
  p: Prediction,
  linkBound: boolean,
  margin = INPUT_MARGIN,
): string | undefined {
  const b = linkBound ? margin : 0;
  const cases = [
    { name: `${pct(margin)} more dirtying${b ? `, ${pct(b)} less link` : ''}`, d: 1 + margin, bw: 1 - b },
    { name: `${pct(margin)} less dirtying${b ? `, ${pct(b)} more link` : ''}`, d: 1 - margin, bw: 1 + b },
  ];
  for (const c of cases) {
    const q = predictPrecopy({ ...input, dirtyRate: input.dirtyRate * c.d, bandwidth: input.bandwidth * c.bw });
    if (q.converges === p.converges) continue;
    const gives = q.converges ? `converges in ~${secs(q.totalMs!)} s` : q.reason;
    return `uncertain: with ${c.name} it ${gives}`;
  }
  return undefined;
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

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
  // The ring segment the workload wrote during the previous pass: all of the working set for the bulk pass's set.
  let prevSegment = W;
  for (let pass = 1; pass <= maxPasses; pass++) {
    const t = toSend / B;
    elapsed += t;
    const segment = Math.min(D * t, W);
    const dirtied = pass === 1 ? segment : segment - ringOverlap(prevSegment, segment, W, Math.min(threshold, toSend));
    prevSegment = pass === 1 ? W : segment;
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

/**
 * The pages of a pass's dirty set that a sync does not find again (bytes): of the up to `pending` bytes of the
 * previous set still unsent at the sync (QEMU syncs once what remains falls below bandwidth × downtime limit), those
 * the guest rewrote meanwhile. The workload rewrites its working set as a ring, so the pass's segment meets the
 * previous one only where the ring wrapped (all of it after the bulk pass, whose set held the whole working set); the
 * pending pages lie anywhere in the previous segment (QEMU sends in address order, the guest's pages are scattered
 * over it). Pure.
 */
export function ringOverlap(previous: number, segment: number, workingSet: number, pending: number): number {
  if (previous <= 0) return 0;
  const shared = Math.max(0, Math.min(previous, segment, previous + segment - workingSet));
  return (pending * shared) / previous;
}

/** Relative error of a prediction, |predicted − measured| ÷ measured. */
export function relativeError(predicted: number, measured: number): number {
  return measured > 0 ? Math.abs(predicted - measured) / measured : predicted === 0 ? 0 : Infinity;
}

function fmt(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
