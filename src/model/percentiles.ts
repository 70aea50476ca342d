/**
 * Summaries of repeated measurements by the nearest-rank method: the p-th percentile of n sorted values is the value
 * at rank ⌈p/100 × n⌉ (1-based). Always one of the measured values, never interpolated; with n < 100 the 99th
 * percentile is the maximum (⌈0.99 n⌉ = n), with n = 1 every statistic is that one value. Pure.
 */
export const STATISTICS = ['min', 'p50', 'p90', 'p99', 'max'] as const;
export type Statistic = (typeof STATISTICS)[number];

export interface Distribution {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** The nearest-rank percentile (0 < p ≤ 100) of values (any order; at least one). */
export function nearestRank(values: readonly number[], p: number): number {
  if (!values.length) throw new RangeError('nearestRank of no values');
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside (0, 100]`);
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => nearestRank(sorted, p);
  return { n: sorted.length, min: sorted[0]!, p50: at(50), p90: at(90), p99: at(99), max: sorted[sorted.length - 1]! };
}

/** Whether a statistic of n values is just the maximum (nearest rank): p99 below 100 values, p90 below 10. */
export function isMaximum(stat: Statistic, n: number): boolean {
  if (stat === 'max') return true;
  if (stat === 'min') return n === 1;
  const p = Number(stat.slice(1));
  return Math.ceil((p / 100) * n) === n;
}
