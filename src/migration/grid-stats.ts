import { dirtySet, NO_SHRINK } from './detect.ts';
import { relativeError } from './predict.ts';
import { mib } from './sample.ts';
import type { ConvergenceMap, GridCell, MigrationSample } from './types.ts';

/**
 * When a non-convergence became certain by the evidence of one migration: pass 2 when its first dirty set is above
 * what the link moves in the downtime limit and the guest dirties at least the bandwidth (calc-dirty-rate before
 * migrating: no pass can shrink the set); else the first pass whose dirty set, above that budget, did not shrink
 * from the pass before. Undefined: not determinable from what was seen (say a migration cut at the deadline while
 * its set still shrank). Pure.
 */
export function certaintyPass(
  samples: readonly MigrationSample[],
  o: { dirtyRate: number; bandwidth: number; downtimeLimitMs: number },
): number | undefined {
  const budget = (o.bandwidth * o.downtimeLimitMs) / 1000;
  const sets = new Map<number, number>();
  for (let i = 1; i < samples.length; i++) {
    const [a, b] = [samples[i - 1]!, samples[i]!];
    if (b.syncCount > a.syncCount && b.status !== 'completed') sets.set(b.syncCount, dirtySet(a, b));
  }
  const first = sets.get(2);
  if (first !== undefined && first > budget && o.dirtyRate >= o.bandwidth) return 2;
  for (const [pass, set] of [...sets].sort((x, y) => x[0] - y[0])) {
    const prev = sets.get(pass - 1);
    if (pass >= 3 && prev !== undefined && prev > budget && set > budget && set >= NO_SHRINK * prev) return pass;
  }
  return undefined;
}

/**
 * Each sync QEMU made in a migration, as the samples saw it: when (ms since `migrate`), what had been sent by then
 * (MiB) and the dirty set it found (MiB, exact: dirtySet) — the per-pass evidence a model is checked against. Pure.
 */
export function syncsOf(samples: readonly MigrationSample[]): NonNullable<GridCell['syncs']> {
  const out: NonNullable<GridCell['syncs']> = [];
  for (let i = 1; i < samples.length; i++) {
    const [a, b] = [samples[i - 1]!, samples[i]!];
    if (b.syncCount <= a.syncCount || b.status === 'completed' || b.status === 'cancelled') continue;
    out.push({ pass: b.syncCount, atMs: b.t, sentMiB: mib(b.transferred), dirtySetMiB: mib(dirtySet(a, b)) });
  }
  return out;
}

/** One non-converging cell's verdict: where it was called and how long after it was certain. */
export interface CallRecord {
  cell: GridCell;
  /** Passes between certainty and the call; 'not determinable' when the certainty point is unknown — never 0. */
  lag: number | 'not determinable';
}

/** What a grid shows about the model and the detector, cell by cell (the bench's figures). Plain data. */
export interface GridSummary {
  /** Cells of strategies the model does not describe (MODELLED): outside every figure below. */
  unmodelled: number;
  /** Cells the harness could not run or read (their outcome is 'error'): outside every figure below. */
  errors: GridCell[];
  /** The outcome predicted before migrating (the nominal call, uncertain cells too) against the measured one. */
  agreement: { agreed: number; of: number; mismatches: GridCell[] };
  /** The same over the cells whose prediction was certain (no `predicted.uncertain`). */
  certain: { agreed: number; of: number; mismatches: GridCell[] };
  /** Cells predicted uncertain (the outcome flips within the inputs' error): counted apart, each with its outcome. */
  uncertain: GridCell[];
  /** |predicted − measured| ÷ measured total over converging cells predicted to converge. */
  predictionErrors: Array<{ cell: GridCell; error: number }>;
  /**
   * The same cells' error without QEMU's setup time, |(predicted − the model's setup) − (measured − QEMU's setup)| ÷
   * (measured − QEMU's setup): the passes and the switchover the model describes, apart from a setup that under TCG
   * swung from 0.1 to 6 s before the workload kept TCG's TLB small (0.09–0.15 s since). Cells that know both setups
   * only.
   */
  transferErrors: Array<{ cell: GridCell; error: number }>;
  /** Converging cells predicted not to converge: misses, counted here, never dropped. */
  misses: GridCell[];
  calls: CallRecord[];
  /** Non-converging cells that ended at the deadline (no pass rule called them), and of them the certain ones. */
  atDeadline: GridCell[];
  certainAtDeadline: GridCell[];
}

const endedAtDeadline = (c: GridCell) => c.outcome === 'not-converging' && (!c.called || c.called.rule === 'deadline');

/**
 * The strategies the pre-copy model describes: every dirty page sent whole at the link's pace. Auto-converge slows the
 * guest, xbzrle sends deltas, post-copy switches over: their cells carry pre-copy's prediction for comparison only.
 */
export const MODELLED: ReadonlySet<string> = new Set(['precopy', 'multifd']);

/** The summary of a grid's modelled cells (MODELLED); the others are counted in `unmodelled`. */
export function summarizeGrid(m: ConvergenceMap): GridSummary {
  const modelled = m.cells.filter((c) => MODELLED.has(c.strategy));
  const errors = modelled.filter((c) => c.outcome === 'error');
  const ran = modelled.filter((c) => c.outcome !== 'error');
  const wrong = (c: GridCell) => c.predicted.converges !== (c.outcome === 'completed');
  const mismatches = ran.filter(wrong);
  const sure = ran.filter((c) => !c.predicted.uncertain);
  const converged = ran.filter((c) => c.outcome === 'completed');
  const atDeadline = ran.filter(endedAtDeadline);
  return {
    unmodelled: m.cells.length - modelled.length,
    errors,
    agreement: { agreed: ran.length - mismatches.length, of: ran.length, mismatches },
    certain: { agreed: sure.filter((c) => !wrong(c)).length, of: sure.length, mismatches: sure.filter(wrong) },
    uncertain: ran.filter((c) => c.predicted.uncertain),
    predictionErrors: converged
      .filter((c) => c.predicted.converges && c.predictionError !== undefined)
      .map((c) => ({ cell: c, error: c.predictionError! })),
    transferErrors: converged.flatMap((c) => {
      const p = c.predicted.totalMs;
      if (!c.predicted.converges || p === null || !c.link || c.totalMs === undefined || c.setupMs === undefined)
        return [];
      const measured = c.totalMs - c.setupMs;
      return measured > 0 ? [{ cell: c, error: relativeError(p - c.link.setupMs, measured) }] : [];
    }),
    misses: converged.filter((c) => !c.predicted.converges),
    calls: ran
      .filter((c) => c.outcome === 'not-converging')
      .map((c) => ({
        cell: c,
        lag:
          c.certainAtPass !== undefined && c.calledAtPass !== undefined
            ? Math.max(0, c.calledAtPass - c.certainAtPass)
            : 'not determinable',
      })),
    atDeadline,
    certainAtDeadline: atDeadline.filter((c) => c.certainAtPass !== undefined),
  };
}
