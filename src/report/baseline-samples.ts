import { nearestRank } from '../model/percentiles.ts';
import type { BaselineDiff, CaseResult } from '../model/result.ts';
import { byDirection } from '../model/samples.ts';
import { mannWhitney } from './mann-whitney.ts';

/**
 * The baseline rule for repeated figures (CaseResult.samples): for a figure with at least MIN_SAMPLES samples on
 * both sides in one direction, a change is flagged only when the exact two-sided Mann–Whitney U test gives
 * p < ALPHA and the medians (nearest rank) differ by more than the threshold. The figures so tested are returned in
 * `tested`: their single-value metrics (total_ms, hop2_total_ms, total_ms_p50, return_total_ms_max, …) are not
 * compared one value against one value as well.
 */
export const MIN_SAMPLES = 5;
export const ALPHA = 0.01;

type Row = BaselineDiff['metrics'][number];

export function sampleShifts(
  old: Pick<CaseResult, 'samples'>,
  c: CaseResult,
  threshold: number,
  relativeChange: (before: number, after: number) => number,
): { rows: Row[]; tested: Set<string> } {
  const rows: Row[] = [];
  const tested = new Set<string>();
  for (const [figure, list] of Object.entries(c.samples ?? {})) {
    const before = byDirection(old.samples?.[figure]);
    for (const [direction, after] of byDirection(list)) {
      const was = before.get(direction);
      if (!was || was.length < MIN_SAMPLES || after.length < MIN_SAMPLES) continue;
      tested.add(figure);
      const { p } = mannWhitney(was, after);
      const medians = [nearestRank(was, 50), nearestRank(after, 50)] as const;
      const change = relativeChange(medians[0], medians[1]);
      if (p < ALPHA && Math.abs(change) > threshold)
        rows.push({
          caseId: c.id,
          metric: `${figure} (${direction})`,
          before: medians[0],
          after: medians[1],
          change,
          method: 'mann-whitney',
          p,
          n: [was.length, after.length],
        });
    }
  }
  return { rows, tested };
}

/** Whether a case metric is one of a tested figure's single values or summaries. */
export function coveredBy(metric: string, tested: ReadonlySet<string>): boolean {
  for (const f of tested) {
    if (metric === f || new RegExp(`^(hop\\d+_|return_)?${f}(_(n|min|p50|p90|p99|max))?$`).test(metric)) return true;
  }
  return false;
}

/** How a baseline row was judged, in words for the reports. */
export function baselineMethod(m: Row): string {
  if (m.method !== 'mann-whitney') return 'single values';
  return `medians; Mann–Whitney exact p = ${m.p!.toPrecision(2)} (n ${m.n![0]} vs ${m.n![1]})`;
}
