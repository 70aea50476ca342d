import {
  byDirection,
  directionOf,
  distribution,
  isMaximum,
  STATISTICS,
  type CaseChart,
  type CaseContext,
  type Sample,
} from '../../src/suite-api/index.ts';
import type { MigrationRun } from '../../src/suite-api/migration.ts';
import { GATED_FIGURES, judgeGates, type Gates } from './gates.ts';

/**
 * The figures of repeated migrations (`migration.repeat`): every completed hop is one sample of each figure, tagged
 * with its direction and run; summaries per figure and direction become metrics; gates are judged on them and drawn
 * as strip plots.
 */
export const SAMPLED_FIGURES: Record<string, keyof MigrationRun['hops'][number]['metrics']> = {
  total_ms: 'totalMs',
  downtime_ms: 'downtimeMs',
  blackout_ms: 'blackoutMs',
  blackout_resolution_ms: 'blackoutResolutionMs',
  transferred_bytes: 'transferredBytes',
  passes: 'passes',
};
const UNIT: Record<string, string> = { transferred_bytes: 'bytes', passes: '' };

/** The samples of one run: each completed hop's figures, with its direction and the run's index (1-based). */
export function runSamples(run: MigrationRun, index: number): Array<[string, Sample]> {
  return run.hops
    .filter((h) => h.outcome === 'completed')
    .flatMap((h) =>
      Object.entries(SAMPLED_FIGURES).flatMap(([figure, key]): Array<[string, Sample]> => {
        const value = h.metrics[key];
        return value !== undefined && Number.isFinite(value)
          ? [[figure, { value, from: h.from, to: h.to, run: index }]]
          : [];
      }),
    );
}

/**
 * Per figure and direction: n, min, p50, p90, p99, max as metrics — `blackout_ms_p99` for the case's own direction,
 * `return_blackout_ms_p99` for the way back (ping-pong).
 */
export function summaryMetrics(samples: Record<string, Sample[]>, from: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [figure, list] of Object.entries(samples)) {
    for (const [direction, values] of byDirection(list)) {
      const prefix = direction.startsWith(`${from}→`) ? '' : 'return_';
      const d = distribution(values);
      out[`${prefix}${figure}_n`] = d.n;
      for (const st of STATISTICS) out[`${prefix}${figure}_${st}`] = d[st];
    }
  }
  return out;
}

/** Each gate × direction as a check (expected vs actual, the message with the samples). */
export function checkGates(ctx: CaseContext, gates: Gates, samples: Record<string, Sample[]>): void {
  for (const v of judgeGates(gates, samples))
    ctx.check.ok(`gate ${v.figure} ${v.stat} ≤ ${v.bound} (${v.direction})`, v.ok, {
      expected: `${v.stat} ≤ ${v.bound}`,
      actual: String(v.value),
      message: v.message,
    });
}

/**
 * A strip plot per gated figure (and, with repeats, blackout_ms and total_ms): a dot per sample by direction, the
 * gates as lines, p50 and p99 ticks (p99 labelled `p99=max` when nearest rank makes it the maximum).
 */
export function stripCharts(gates: Gates, samples: Record<string, Sample[]>, repeated: boolean): CaseChart[] {
  const figures = GATED_FIGURES.filter((f) => gates[f] || (repeated && (f === 'blackout_ms' || f === 'total_ms')));
  return figures
    .filter((f) => samples[f]?.length)
    .map((figure) => {
      const list = samples[figure]!;
      const marks: NonNullable<CaseChart['marks']> = Object.entries(gates[figure] ?? {}).map(([st, bound]) => ({
        label: `gate ${st} ≤ ${bound}`,
        value: bound,
      }));
      for (const [series, values] of byDirection(list)) {
        const d = distribution(values);
        marks.push({ label: 'p50', value: d.p50, series });
        marks.push({ label: isMaximum('p99', d.n) ? 'p99=max' : 'p99', value: d.p99, series });
      }
      return {
        kind: 'strip' as const,
        title: `${figure}: ${list.length} samples by direction (nearest-rank p50, p99)`,
        unit: UNIT[figure] ?? 'ms',
        points: list.map((s) => ({ label: directionOf(s), value: s.value })),
        marks,
      };
    });
}
