import { describe, expect, it } from 'vitest';
import {
  analyzeHeartbeats,
  ConvergenceDetector,
  LineCollector,
  type MigrationSample,
  NOVA_DEFAULTS,
  novaDataGb,
  novaDowntimeAt,
  novaDowntimeSteps,
  novaOutcome,
  passesOf,
  predictPrecopy,
  ringOverlap,
  relativeError,
  toSample,
} from '../../src/migration/index.ts';

const MiB = 1024 * 1024;
const sample = (o: Partial<MigrationSample>): MigrationSample => ({
  t: 0,
  status: 'active',
  transferred: 0,
  remaining: 0,
  total: 256 * MiB,
  dirtyRate: 0,
  throughput: 0,
  syncCount: 1,
  ...o,
});

describe('pre-copy predictor', () => {
  it('an idle guest converges after the bulk pass, in M/B', () => {
    const p = predictPrecopy({
      ramBytes: 100 * MiB,
      bandwidth: 50 * MiB,
      dirtyRate: 0,
      workingSet: 0,
      downtimeLimitMs: 300,
    });
    expect(p.converges).toBe(true);
    expect(p.passes).toBe(2);
    expect(p.totalMs).toBeGreaterThanOrEqual(2000);
    expect(p.totalMs).toBeLessThan(2100);
  });

  it('a moderate dirty rate takes more passes and follows the geometric sum, less the pending pages rewritten', () => {
    const p = predictPrecopy({
      ramBytes: 100 * MiB,
      bandwidth: 50 * MiB,
      dirtyRate: 25 * MiB,
      workingSet: 200 * MiB,
      downtimeLimitMs: 300,
      deviceBytes: 0,
    });
    expect(p.converges).toBe(true);
    expect(p.lambda).toBe(0.5);
    // 100 → 50 → 23.125 → 11.5625 (≤ 15 = 50 MiB/s × 0.3 s): 3 passes sent, then the stop-and-copy. The third set
    // is 25 less what QEMU found already pending: of the 15 MiB still unsent when it synced (bandwidth × downtime),
    // the 25 / 200 the guest rewrote (the bulk pass's set held the whole working set); the fourth meets the third's
    // segment nowhere (the ring did not wrap), so nothing comes off it.
    expect(p.passes).toBe(4);
    expect(p.totalMs).toBe(Math.round(((100 + 50 + 23.125 + 11.5625) / 50) * 1000));
    expect(p.downtimeMs).toBe(Math.round((11.5625 / 50) * 1000));
    expect(ringOverlap(200, 25, 200, 15)).toBe(1.875);
    expect(ringOverlap(25, 11.5625, 200, 15)).toBe(0);
    // A ring that wraps: of a 180 MiB segment after a 110 MiB one in 256, 34 MiB are shared.
    expect(ringOverlap(110, 180, 256, 38.4)).toBeCloseTo((38.4 * 34) / 110);
  });

  it('does not converge when the dirty rate reaches the bandwidth, or the working set stays above B·T', () => {
    const hot = predictPrecopy({
      ramBytes: 100 * MiB,
      bandwidth: 50 * MiB,
      dirtyRate: 60 * MiB,
      workingSet: 80 * MiB,
      downtimeLimitMs: 300,
    });
    expect(hot.converges).toBe(false);
    expect(hot.totalMs).toBeNull();
    expect(hot.reason).toMatch(/dirty rate 60.0 MiB\/s ≥ bandwidth 50.0 MiB\/s/);
    // λ = 0.9 shrinks slowly: many passes, still converging.
    const slow = predictPrecopy({
      ramBytes: 400 * MiB,
      bandwidth: 100 * MiB,
      dirtyRate: 90 * MiB,
      workingSet: 64 * MiB,
      downtimeLimitMs: 100,
    });
    expect(slow.converges).toBe(true);
    expect(slow.passes).toBeGreaterThan(15);
    // …but a small working set converges even with λ ≥ 1: the rewritten set fits the downtime budget.
    const small = predictPrecopy({
      ramBytes: 100 * MiB,
      bandwidth: 50 * MiB,
      dirtyRate: 80 * MiB,
      workingSet: 4 * MiB,
      downtimeLimitMs: 300,
    });
    expect(small.converges).toBe(true);
  });

  it('relative error', () => {
    expect(relativeError(110, 100)).toBeCloseTo(0.1);
    expect(relativeError(0, 0)).toBe(0);
  });
});

describe('samples and passes', () => {
  it('turns query-migrate into bytes/s and keeps the first sample of each sync', () => {
    const s = toSample(
      {
        status: 'active',
        ram: {
          transferred: 10,
          remaining: 20,
          total: 30,
          mbps: 80,
          'dirty-pages-rate': 256,
          'page-size': 4096,
          'dirty-sync-count': 2,
        },
        'expected-downtime': 40,
      },
      12.4,
    );
    expect(s).toMatchObject({ t: 12, dirtyRate: MiB, throughput: 10e6, syncCount: 2, expectedDowntimeMs: 40 });
    const passes = passesOf([
      sample({ t: 1, syncCount: 1 }),
      sample({ t: 2, syncCount: 2, remaining: 5 }),
      sample({ t: 3, syncCount: 2, remaining: 1 }),
      sample({ t: 4, syncCount: 3 }),
    ]);
    expect(passes.map((p) => [p.pass, p.t, p.remaining])).toEqual([
      [1, 1, 0],
      [2, 2, 5],
      [3, 4, 0],
    ]);
  });
});

describe('non-convergence and stall detection', () => {
  const opts = { downtimeLimitMs: 300, maxBandwidth: 120 * MiB, deadlineMs: 60_000 };

  it('calls non-convergence at the second consecutive pass with dirty rate ≥ bandwidth, with the diagnosis', () => {
    const d = new ConvergenceDetector(opts);
    let t = 0;
    let transferred = 0;
    const feed = (pass: number, dirty: number) =>
      d.observe(
        sample({
          t: (t += 700),
          transferred: (transferred += 50 * MiB),
          syncCount: pass,
          dirtyRate: dirty * MiB,
          throughput: 100 * MiB,
          remaining: 60 * MiB,
        }),
      );
    expect(feed(1, 0)).toBeUndefined();
    expect(feed(2, 180)).toBeUndefined();
    const v = feed(3, 180);
    expect(v).toEqual({
      kind: 'not-converging',
      certainAtPass: 3,
      rule: 'dirty-rate',
      atMs: 2100,
      message: 'does not converge: dirty rate 180 MiB/s ≥ bandwidth 100 MiB/s, 3 passes in 2.1 s',
    });
  });

  it('a host starved of CPU (throughput far below the cap for passes) does not make a slower guest look hot', () => {
    const feed = (dirtyMiBps: number) => {
      const d = new ConvergenceDetector({ ...opts, maxBandwidth: 32 * MiB });
      // The bulk pass runs at the cap; then the host is starved and QEMU moves 7 MiB/s.
      return [32, 7, 7, 7].map((bw, i) =>
        d.observe(
          sample({
            t: i * 10_000,
            transferred: (i + 1) * 70 * MiB,
            syncCount: i + 1,
            dirtyRate: dirtyMiBps * MiB,
            throughput: bw * MiB,
            remaining: 200 * MiB,
            expectedDowntimeMs: 100,
          }),
        ),
      );
    };
    expect(feed(22)).toEqual([undefined, undefined, undefined, undefined]);
    // A guest above the link's best (the cap it reached) is still called at the second hot pass.
    expect(feed(40).map((v) => (v?.kind === 'not-converging' ? v.rule : v?.kind))).toEqual([
      undefined,
      undefined,
      'dirty-rate',
      'dirty-rate',
    ]);
    expect(feed(40)[2]?.message).toMatch(/dirty rate 40 MiB\/s ≥ bandwidth 32 MiB\/s, 3 passes/);
  });

  it('a hot pass followed by a cool one is not enough; a converging series is never called', () => {
    const d = new ConvergenceDetector(opts);
    const out = [1, 2, 3, 4, 5, 6].map((p, i) =>
      d.observe(
        sample({
          t: i * 500,
          transferred: (i + 1) * MiB,
          syncCount: p,
          dirtyRate: (p % 2 ? 10 : 200) * MiB,
          throughput: 100 * MiB,
          remaining: (100 - i * 15) * MiB,
          expectedDowntimeMs: 100,
        }),
      ),
    );
    expect(out.every((x) => x === undefined)).toBe(true);
  });

  it('calls it when remaining does not shrink over K passes while the expected downtime stays above the limit', () => {
    const d = new ConvergenceDetector({ ...opts, passesWithoutProgress: 3 });
    let v;
    for (let p = 1; p <= 6 && !v; p++)
      v = d.observe(
        sample({
          t: p * 400,
          transferred: p * MiB,
          syncCount: p,
          dirtyRate: 40 * MiB,
          throughput: 100 * MiB,
          remaining: 30 * MiB,
          expectedDowntimeMs: 900,
        }),
      );
    expect(v?.kind).toBe('not-converging');
    expect(v?.message).toMatch(
      /remaining 30 MiB did not shrink over 3 passes, expected downtime 900 ms > limit 300 ms, 5 passes in 2.0 s/,
    );
  });

  it('remaining flat but one pass of the window expecting a downtime within the limit is not yet certain', () => {
    const d = new ConvergenceDetector({ ...opts, passesWithoutProgress: 3 });
    const expected = [900, 900, 250, 900, 900, 900, 900];
    const out = expected.map((e, i) =>
      d.observe(
        sample({
          t: (i + 1) * 400,
          transferred: (i + 1) * MiB,
          syncCount: i + 1,
          dirtyRate: 40 * MiB,
          throughput: 100 * MiB,
          remaining: 30 * MiB,
          expectedDowntimeMs: e,
        }),
      ),
    );
    expect(out.findIndex((x) => x !== undefined)).toBe(6); // pass 7: passes 4–7 all above the limit
  });

  it('auto-converge: neither pass rule counts while the throttle can still rise; at the maximum they do', () => {
    const d = new ConvergenceDetector({ ...opts, passesWithoutProgress: 3, throttleMax: 99 });
    const throttle = [0, 20, 30, 40, 50, 99, 99, 99];
    let v: ReturnType<ConvergenceDetector['observe']>;
    let at = -1;
    throttle.forEach((pct, i) => {
      v ??= d.observe(
        sample({
          t: (i + 1) * 400,
          transferred: (i + 1) * MiB,
          syncCount: i + 1,
          dirtyRate: 180 * MiB,
          throughput: 100 * MiB,
          remaining: 30 * MiB,
          expectedDowntimeMs: 900,
          throttlePct: pct,
        }),
      );
      if (v && at < 0) at = i + 1;
    });
    expect(at).toBe(7); // passes 6 and 7 are the first two hot passes at 99 %
    expect(v?.message).toMatch(
      /^does not converge: dirty rate 180 MiB\/s ≥ bandwidth 100 MiB\/s at the maximum throttle 99 %, 7 passes/,
    );
  });

  it('a stall (no bytes for N s) is a stall, never non-convergence, even when the dirty rate is high', () => {
    const d = new ConvergenceDetector({ ...opts, stallMs: 2000 });
    expect(
      d.observe(sample({ t: 0, transferred: 10, syncCount: 2, dirtyRate: 500 * MiB, throughput: 1 })),
    ).toBeUndefined();
    expect(
      d.observe(sample({ t: 1000, transferred: 10, syncCount: 2, dirtyRate: 500 * MiB, throughput: 1 })),
    ).toBeUndefined();
    const v = d.observe(sample({ t: 2100, transferred: 10, syncCount: 3, dirtyRate: 500 * MiB, throughput: 1 }));
    expect(v?.kind).toBe('stalled');
    expect(v?.message).toMatch(/^stalled: no bytes transferred for 2.1 s/);
  });

  it('post-copy is never non-convergence; the deadline is', () => {
    const d = new ConvergenceDetector({ ...opts, deadlineMs: 5000 });
    expect(
      d.observe(
        sample({
          t: 6000,
          status: 'postcopy-active',
          transferred: 5,
          syncCount: 9,
          dirtyRate: 900 * MiB,
          throughput: MiB,
        }),
      ),
    ).toBeUndefined();
    const e = new ConvergenceDetector({ ...opts, deadlineMs: 5000 });
    expect(e.observe(sample({ t: 6000, transferred: 5, syncCount: 2 }))?.message).toMatch(/no completion within 5.0 s/);
  });
});

describe('Nova', () => {
  it('downtime steps follow the docstring example (3 GB, 400 ms, 30 s delay)', () => {
    const steps = novaDowntimeSteps(3, { downtimeMs: 400, steps: 10, delaySecPerGiB: 30 });
    expect(steps[0]).toEqual([0, 40]);
    expect(steps[1]).toEqual([90, 76]);
    expect(steps[10]).toEqual([900, 400]);
    expect(novaDowntimeAt(steps, 0)).toBeUndefined();
    expect(novaDowntimeAt(steps, 0.5)).toBe(40);
    expect(novaDowntimeAt(steps, 91)).toBe(76);
  });

  it('data size has a floor of 2 GiB', () => {
    expect(novaDataGb(256)).toBe(2);
    expect(novaDataGb(4096, 1)).toBe(5);
  });

  it('a fast converging guest completes at the first step; a hot one is aborted at the completion timeout', () => {
    const pass = (p: number, t: number, remaining: number) => ({
      pass: p,
      t,
      remaining,
      transferred: 0,
      dirtyRate: 0,
      throughput: 100 * MiB,
    });
    expect(novaOutcome([pass(1, 0, 0), pass(2, 1000, 2 * MiB)], 2)).toMatchObject({
      outcome: 'completed',
      atSec: 1,
      downtimeLimitMs: 50,
    });
    // 30 MiB left at 100 MiB/s needs 300 ms: the 320 ms step (6) at 6 × 150 s.
    expect(novaOutcome([pass(2, 1000, 30 * MiB), pass(3, 1500, 30 * MiB)], 2)).toMatchObject({
      outcome: 'completed',
      atSec: 900,
      downtimeLimitMs: 320,
    });
    const hot = novaOutcome([pass(2, 1000, 80 * MiB), pass(3, 1500, 80 * MiB)], 2);
    expect(hot).toMatchObject({ outcome: 'aborted', atSec: 1600 });
    expect(hot.message).toMatch(/aborted after 1600 s .*stays on the source/);
    expect(
      novaOutcome([pass(2, 1000, 80 * MiB)], 2, {
        ...NOVA_DEFAULTS,
        timeoutAction: 'force_complete',
        permitPostCopy: true,
      }).outcome,
    ).toBe('postcopy');
    expect(
      novaOutcome([pass(2, 1000, 80 * MiB)], 2, { ...NOVA_DEFAULTS, timeoutAction: 'force_complete' }).outcome,
    ).toBe('paused');
  });
});

describe('heartbeat lines', () => {
  it('splits chunks across hosts, timestamps on arrival, and finds the blackout and counter continuity', () => {
    const c = new LineCollector();
    c.feed('a', 'HWQUAL-HB 1 0 5\nHWQUAL-HB 2 10 9\nHWQUAL-H', 1000);
    c.feed('a', 'B 3 20 12\nHWQUAL-INTEGRITY ok checks=4 pages=1 writes=1 failures=0\n', 1010);
    c.feed('b', 'HWQUAL-HB 4 30 15\r\nHWQUAL-INTEGRITY ok checks=5 pages=1 writes=1 failures=0 demand\n', 1090);
    c.feed('b', 'HWQUAL-HB 5 40 18\n', 1100);
    expect(c.heartbeats.map((h) => [h.host, h.counter, h.at])).toEqual([
      ['a', 1, 1000],
      ['a', 2, 1000],
      ['a', 3, 1010],
      ['b', 4, 1090],
      ['b', 5, 1100],
    ]);
    expect(c.integrity.map((i) => [i.host, i.ok, i.demand])).toEqual([
      ['a', true, false],
      ['b', true, true],
    ]);
    const a = analyzeHeartbeats(c.heartbeats, { from: 0, to: 2000 });
    expect(a.blackoutMs).toBe(80);
    expect(a.gap).toEqual({ before: { host: 'a', counter: 3 }, after: { host: 'b', counter: 4 } });
    expect(a.resets).toEqual([]);
    expect(a.lastOn).toEqual({ a: 3, b: 5 });
  });

  it('a counter that starts again is a reset', () => {
    const c = new LineCollector();
    c.feed('a', 'HWQUAL-HB 7 0 0\n', 0);
    c.feed('b', 'HWQUAL-HB 1 0 0\n', 50);
    expect(analyzeHeartbeats(c.heartbeats, { from: 0, to: 100 }).resets).toEqual([{ host: 'b', from: 7, to: 1 }]);
  });
});
