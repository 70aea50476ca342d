import { describe, expect, it } from 'vitest';
import { ChannelLimiter } from '../../src/transport/channel-limiter.ts';

describe('ChannelLimiter', () => {
  it('never lets more than max holders in, and serves waiters in order', async () => {
    const limiter = new ChannelLimiter(2);
    const order: number[] = [];
    let inside = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 7 }, async (_, i) => {
        const release = await limiter.acquire();
        order.push(i);
        peak = Math.max(peak, ++inside);
        await new Promise((r) => setTimeout(r, 5));
        inside--;
        release();
        release(); // idempotent: a second call must not free another slot
      }),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(limiter.open).toBe(0);
  });

  it('drops an aborted waiter without taking a slot', async () => {
    const limiter = new ChannelLimiter(1);
    const first = await limiter.acquire();
    const ac = new AbortController();
    const waiting = limiter.acquire(ac.signal);
    expect(limiter.waiting).toBe(1);
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(limiter.waiting).toBe(0);
    first();
    const again = await limiter.acquire();
    expect(limiter.open).toBe(1);
    again();
  });

  it('rejects a bad maximum as a config error', () => {
    expect(() => new ChannelLimiter(0)).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
  });
});
