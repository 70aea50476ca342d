// The exact two-sided Mann–Whitney U test on fixed sets, p computed by hand (issue 21).
import { describe, expect, it } from 'vitest';
import { mannWhitney } from '../../src/report/mann-whitney.ts';

describe('mannWhitney (exact, two-sided)', () => {
  it('5 vs 5 fully separated: U = 0, p = 2/252 = 0.0079 (the smallest possible with 5 a side)', () => {
    const r = mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(r).toEqual({ u: 0, p: 2 / 252, method: 'exact' });
    expect(mannWhitney([60, 70, 80, 90, 100], [1, 2, 3, 4, 5]).p).toBe(2 / 252);
  });

  it('U = 1 (one pair out of order): p = 4/252 = 0.016', () => {
    const r = mannWhitney([1, 2, 3, 4, 6], [5, 7, 8, 9, 10]);
    expect(r.u).toBe(1);
    expect(r.p).toBeCloseTo(4 / 252, 12);
  });

  it('identical samples: p = 1', () => {
    expect(mannWhitney([3, 1, 2], [1, 2, 3]).p).toBe(1);
  });

  it('ties: mid-ranks, p from the permutation distribution over the tied ranks (x = 1 1 2, y = 2 3 3 → 4/20)', () => {
    // Mid-ranks 1.5 1.5 3.5 3.5 5.5 5.5; W(x) = 6.5, E[W] = 10.5. Of the C(6,3) = 20 choices of 3 ranks, rank sums
    // 6.5 (2 ways), 8.5 (4), 10.5 (8), 12.5 (4), 14.5 (2): |W − 10.5| ≥ 4 in 4 of 20.
    const r = mannWhitney([1, 1, 2], [2, 3, 3]);
    expect(r.u).toBe(0.5);
    expect(r.p).toBeCloseTo(4 / 20, 12);
  });

  it('all tied: p = 1; 20 vs 20 separated still exact (no normal approximation below 20 a side … nor at it)', () => {
    expect(mannWhitney([5, 5, 5, 5, 5], [5, 5, 5, 5, 5]).p).toBe(1);
    const a = Array.from({ length: 20 }, (_, i) => i);
    const b = Array.from({ length: 20 }, (_, i) => 100 + i);
    const r = mannWhitney(a, b);
    expect(r.method).toBe('exact');
    // 2 / C(40, 20)
    expect(r.p).toBeCloseTo(2 / 137846528820, 20);
  });

  it('large samples (150 a side): the normal approximation with tie correction, close to the exact order', () => {
    const a = Array.from({ length: 150 }, (_, i) => i % 50);
    const b = Array.from({ length: 150 }, (_, i) => (i % 50) + 10);
    const r = mannWhitney(a, b);
    expect(r.method).toBe('normal');
    expect(r.p).toBeLessThan(0.01);
    expect(mannWhitney(a, a).p).toBeCloseTo(1, 6);
  });

  it('needs values on both sides', () => {
    expect(() => mannWhitney([], [1])).toThrow(RangeError);
  });
});
