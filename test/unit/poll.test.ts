// The one poll loop: asks until an answer or the time is up (then undefined), at least once, at most every everyMs,
// telling each attempt how long is left; a throw or a cancel stops it at once.
import { describe, expect, it } from 'vitest';
import { poll } from '../../src/util/poll.ts';

describe('poll', () => {
  it('returns the first answer, asking again until there is one', async () => {
    let n = 0;
    expect(await poll(() => (++n === 3 ? `answer ${n}` : undefined), { timeoutMs: 10_000, everyMs: 1 })).toBe(
      'answer 3',
    );
    expect(n).toBe(3);
    expect(await poll(async () => false, { timeoutMs: 10_000 })).toBe(false); // false is an answer, not "not yet"
  });

  it('gives undefined once the time is up, having asked at least once, telling each attempt what is left', async () => {
    const left: number[] = [];
    const t0 = Date.now();
    expect(await poll((ms) => void left.push(ms), { timeoutMs: 60, everyMs: 10 })).toBeUndefined();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(60);
    expect(left.length).toBeGreaterThan(1);
    expect(left[0]).toBeLessThanOrEqual(60);
    expect(left.at(-1)).toBe(0);
    expect([...left].sort((a, b) => b - a)).toEqual(left);
    let asked = 0;
    expect(await poll(() => void asked++, { timeoutMs: 0 })).toBeUndefined();
    expect(asked).toBe(1);
  });

  it('stops at once when the attempt throws, or when the signal cancels the pause', async () => {
    let n = 0;
    const fail = () => {
      n++;
      throw new Error('no such socket');
    };
    await expect(poll(fail, { timeoutMs: 10_000 })).rejects.toThrow('no such socket');
    expect(n).toBe(1);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    await expect(poll(() => undefined, { timeoutMs: 10_000, everyMs: 5_000, signal: ac.signal })).rejects.toMatchObject(
      {
        code: 'E_CANCELLED',
      },
    );
  });
});
