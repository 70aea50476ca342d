/**
 * The two-sided Mann–Whitney U test (Wilcoxon rank-sum), exact: under the null hypothesis every way of choosing
 * which n of the N = n + m pooled values belong to the first sample is equally likely, so the p-value is the share of
 * those C(N, n) choices whose rank sum lies at least as far from its mean as the observed one.
 *
 * Ties: tied values get their mid-rank (the mean of the ranks they span), and the exact distribution is that of the
 * rank sum over these same mid-ranks (the permutation distribution conditional on the ties), not the tie-free
 * distribution — so ties neither inflate nor deflate p. Mid-ranks are doubled to integers and the distribution is
 * counted by dynamic programming (ways[k][s]: choices of k of the pooled values with doubled rank sum s).
 * No normal approximation while either side has fewer than 20 values; above that (both ≥ 20 and N > 200) the normal
 * approximation with the tie correction and a continuity correction. Pure.
 */
export interface UTest {
  /** min(U₁, U₂): 0 when the samples are fully separated. */
  u: number;
  p: number;
  method: 'exact' | 'normal';
}

export function mannWhitney(x: readonly number[], y: readonly number[]): UTest {
  const n = x.length;
  const m = y.length;
  if (!n || !m) throw new RangeError('Mann–Whitney needs values on both sides');
  const N = n + m;
  const pooled = [...x.map((v) => ({ v, first: true })), ...y.map((v) => ({ v, first: false }))].sort(
    (a, b) => a.v - b.v,
  );
  // Doubled mid-ranks: a tie spanning ranks i+1 … j gets (i+1+j), an integer.
  const ranks2: number[] = new Array(N);
  for (let i = 0; i < N; ) {
    let j = i;
    while (j < N && pooled[j]!.v === pooled[i]!.v) j++;
    for (let k = i; k < j; k++) ranks2[k] = i + 1 + j;
    i = j;
  }
  let w2 = 0;
  pooled.forEach((e, i) => {
    if (e.first) w2 += ranks2[i]!;
  });
  const u1 = w2 / 2 - (n * (n + 1)) / 2;
  const u = Math.min(u1, n * m - u1);
  const mean2 = n * (N + 1); // E[2W]
  const observed = Math.abs(w2 - mean2);
  if (Math.min(n, m) >= 20 && N > 200) return { u, p: normalP(ranks2, n, m, observed / 2), method: 'normal' };
  const maxSum = ranks2.reduce((a, b) => a + b, 0);
  // ways[k][s], k ≤ n: rolled over the pooled values, k descending so each value is used once.
  const ways: Float64Array[] = Array.from({ length: n + 1 }, () => new Float64Array(maxSum + 1));
  ways[0]![0] = 1;
  for (const r of ranks2)
    for (let k = n; k >= 1; k--) {
      const into = ways[k]!;
      const from = ways[k - 1]!;
      for (let s = maxSum; s >= r; s--) if (from[s - r]) into[s] += from[s - r]!;
    }
  let total = 0;
  let extreme = 0;
  ways[n]!.forEach((count, s) => {
    if (!count) return;
    total += count;
    if (Math.abs(s - mean2) >= observed) extreme += count;
  });
  return { u, p: Math.min(1, extreme / total), method: 'exact' };
}

/** Normal approximation of the rank sum's two-sided p, variance corrected for ties, with continuity correction. */
function normalP(ranks2: readonly number[], n: number, m: number, deviation: number): number {
  const N = n + m;
  const counts = new Map<number, number>();
  for (const r of ranks2) counts.set(r, (counts.get(r) ?? 0) + 1);
  let ties = 0;
  for (const t of counts.values()) ties += t ** 3 - t;
  const variance = ((n * m) / 12) * (N + 1 - ties / (N * (N - 1)));
  if (variance <= 0) return 1;
  const z = Math.max(0, deviation - 0.5) / Math.sqrt(variance);
  return Math.min(1, 2 * (1 - normalCdf(z)));
}

/** Φ(z) by the Abramowitz–Stegun 7.1.26 erf approximation (|error| < 1.5e-7). */
function normalCdf(z: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(z)) / Math.SQRT2);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
