// The resolution of the guest-observed blackout (issue 21): how much each host's heartbeat stream delay varied
// around the hop, plus one heartbeat period.
import { describe, expect, it } from 'vitest';
import { analyzeHeartbeats, LineCollector } from '../../src/migration/index.ts';

/** Heartbeats every 10 ms of guest time on `host` from guest ms `g0`, arriving `delay(i)` ms after being printed. */
function beats(c: LineCollector, host: string, first: number, count: number, g0: number, delay: (i: number) => number) {
  for (let i = 0; i < count; i++) {
    const g = g0 + i * 10;
    c.feed(host, `HWQUAL-HB ${first + i} ${g} 0\n`, 1_000_000 + g + delay(i));
  }
}

describe('blackout resolution', () => {
  it('steady streams: one period; the blackout is the gap between the last beat on A and the first on B', () => {
    const c = new LineCollector();
    beats(c, 'a', 1, 100, 0, () => 2);
    beats(c, 'b', 101, 100, 1100, () => 2); // guest stopped 1000 → 1100 (guest time) … a 110 ms gap on arrival
    const r = analyzeHeartbeats(c.heartbeats, { from: 1_000_000, to: 1_002_000 });
    expect(r.blackoutMs).toBe(110);
    expect(r.streamSpreadMs).toEqual({ a: 0, b: 0 });
    expect(r.resolutionMs).toBe(10);
  });

  it('jittery streams: the spread of arrival − guest time on each side of the gap adds to the resolution', () => {
    const c = new LineCollector();
    beats(c, 'a', 1, 100, 0, (i) => (i % 7 === 0 ? 25 : 3)); // queued behind migration data now and then: 22 ms
    beats(c, 'b', 101, 100, 1100, (i) => (i % 5 === 0 ? 9 : 1)); // 8 ms
    const r = analyzeHeartbeats(c.heartbeats, { from: 1_000_000, to: 1_002_000 });
    expect(r.streamSpreadMs).toEqual({ a: 22, b: 8 });
    expect(r.resolutionMs).toBe(10 + 22 + 8);
  });

  it('lines far outside the hop (more than 1 s) do not count', () => {
    const c = new LineCollector();
    beats(c, 'a', 1, 10, 0, (i) => (i === 0 ? 500 : 0)); // an old slow line, at ~1 000 500
    beats(c, 'a', 11, 100, 3000, () => 0);
    const r = analyzeHeartbeats(c.heartbeats, { from: 1_003_000, to: 1_004_000 });
    expect(r.streamSpreadMs).toEqual({ a: 0 });
  });
});
