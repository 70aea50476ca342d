// When a pre-copy migration is called non-converging, and when not: the detector's dirty-set rules on a simulated
// migration that keeps QEMU's own accounting (remaining grows only at a sync, shrinks only by sending; a sync comes
// once what remains fits in bandwidth × downtime limit), sampled every 100 ms like a hop. And the prediction made
// before migrating respects the deadline.
import { describe, expect, it } from 'vitest';
import { ConvergenceDetector, type MigrationSample, predictPrecopy } from '../../src/migration/index.ts';
import { dirtySet } from '../../src/migration/detect.ts';
import { detectorOptions } from '../../src/migration/hop.ts';

const MiB = 1024 * 1024;
const PAGE = 4096;

interface Sim {
  ramMiB: number;
  wssMiB: number;
  dirtyMiBps: number;
  bwMiBps: number;
  downtimeMs?: number;
  seconds?: number;
  /** Where in the 100 ms period the samples fall (ms). */
  offsetMs?: number;
}

/**
 * query-migrate every 100 ms of a pre-copy migration of a guest rewriting a working set (a 10 ms clock inside);
 * `sets` has the dirty set each sync found, the truth the detector's estimate is held to.
 */
function simulate(o: Sim): MigrationSample[] & { sets: number[] } {
  const bw = o.bwMiBps * MiB;
  const budget = (bw * (o.downtimeMs ?? 300)) / 1000;
  const out = Object.assign([] as MigrationSample[], { sets: [] as number[] });
  let remaining = o.ramMiB * MiB;
  let transferred = 0;
  let sync = 1;
  let passStart = 0;
  let dirtied = 0;
  let qemuRate = 0;
  for (let ms = 10; ms <= (o.seconds ?? 40) * 1000; ms += 10) {
    const send = Math.min(remaining, bw / 100);
    remaining -= send;
    transferred += send;
    dirtied = Math.min(o.wssMiB * MiB, dirtied + (o.dirtyMiBps * MiB) / 100);
    let status = 'active';
    if (remaining < budget) {
      if (remaining + dirtied <= budget) status = 'completed';
      else {
        remaining += dirtied;
        out.sets.push(dirtied);
        qemuRate = (dirtied * 1000) / (ms - passStart);
        dirtied = 0;
        sync++;
        passStart = ms;
      }
    }
    if (status === 'completed' || (ms - (o.offsetMs ?? 40)) % 100 === 0)
      out.push({
        t: ms,
        status,
        transferred,
        remaining,
        total: o.ramMiB * MiB,
        dirtyRate: qemuRate,
        throughput: bw,
        syncCount: sync,
        pagesSent: Math.round(transferred / PAGE),
      });
    if (status === 'completed') break;
  }
  return out;
}

function verdictOf(samples: MigrationSample[], d: ConvergenceDetector) {
  for (const s of samples) {
    const v = d.observe(s);
    if (v) return v;
  }
  return undefined;
}

const grid = { downtimeLimitMs: 300, deadlineMs: 40_000 };

describe('the dirty set per pass, against what the link moves in the downtime limit', () => {
  it('is exact from page counts, wherever the samples fall around the sync', () => {
    for (const offsetMs of [0, 30, 90]) {
      const s = simulate({ ramMiB: 330, wssMiB: 256, dirtyMiBps: 20, bwMiBps: 64, offsetMs, seconds: 12 });
      const at = s.findIndex((x) => x.syncCount === 2);
      // The bulk pass took ~4.9 s (until what remained fit in 64 MiB/s × 300 ms); the guest dirtied ~97 MiB of it.
      expect(s.sets[0]! / MiB).toBeCloseTo(97.2, 1);
      expect(Math.abs(dirtySet(s[at - 1]!, s[at]!) - s.sets[0]!)).toBeLessThanOrEqual(PAGE);
    }
  });

  it('a guest dirtying 200 MiB/s of a 256 MiB working set over 32 MiB/s: called at pass 2 (dirty-set rule)', () => {
    const s = simulate({ ramMiB: 330, wssMiB: 256, dirtyMiBps: 200, bwMiBps: 32 });
    // QEMU's own dirty rate at each sync is capped by the working set (256 MiB per 8 s pass = 32 MiB/s): at best
    // level with the bandwidth, so "dirty rate ≥ bandwidth" needs two syncs after the bulk pass, if it fires at all.
    expect(s.find((x) => x.syncCount === 3)!.dirtyRate / MiB).toBeCloseTo(32, 0);
    const v = verdictOf(s, new ConvergenceDetector({ ...grid, maxBandwidth: 32 * MiB, dirtyRate: 200 * MiB }));
    expect(v).toMatchObject({ kind: 'not-converging', rule: 'dirty-set', certainAtPass: 2 });
    expect(v?.kind === 'not-converging' && v.atMs).toBeLessThan(11_000);
    expect(v?.message).toBe(
      'does not converge: the dirty set of pass 2 (256 MiB) is above what the link moves in the downtime limit ' +
        '(9.6 MiB = 32 MiB/s × 300 ms) and the guest dirties 200 MiB/s (calc-dirty-rate before migrating) ≥ ' +
        `32 MiB/s: no pass can shrink it, 2 passes in ${((v as { atMs: number }).atMs / 1000).toFixed(1)} s`,
    );
  });

  it('without the measured rate, the evidence of two passes: its dirty set did not shrink from pass 2 to 4', () => {
    const s = simulate({ ramMiB: 330, wssMiB: 256, dirtyMiBps: 200, bwMiBps: 32 });
    const v = verdictOf(s, new ConvergenceDetector({ ...grid, maxBandwidth: 32 * MiB, shrinkRule: true }));
    expect(v).toMatchObject({ rule: 'no-shrink', certainAtPass: 4 });
    expect(v?.message).toMatch(/and did not shrink since pass 2 \(256 MiB\), 4 passes in/);
  });

  it('a busy host sending slower than the cap: not called from one slow pass, but on two passes of evidence', () => {
    // Capped at 256 MiB/s, the host only moves 160: the guest's 200 MiB/s is below the cap, so the measured rate
    // proves nothing; the set staying at the working set over two passes does.
    const s = simulate({ ramMiB: 330, wssMiB: 256, dirtyMiBps: 200, bwMiBps: 160, seconds: 20 });
    const d = new ConvergenceDetector({ ...grid, maxBandwidth: 256 * MiB, dirtyRate: 200 * MiB, shrinkRule: true });
    expect(verdictOf(s, d)).toMatchObject({ rule: 'no-shrink', certainAtPass: 4 });
  });

  it('a guest below the bandwidth is never called, even slowly converging (dirty 25 over 32 MiB/s)', () => {
    for (const [dirty, bw] of [
      [25, 32],
      [50, 64],
      [200, 256],
      [0, 256],
    ] as const) {
      const s = simulate({ ramMiB: 330, wssMiB: 256, dirtyMiBps: dirty, bwMiBps: bw, seconds: 39 });
      const d = new ConvergenceDetector({ ...grid, maxBandwidth: bw * MiB, dirtyRate: dirty * MiB, shrinkRule: true });
      expect(verdictOf(s, d), `${dirty}/${bw}`).toBeUndefined();
    }
  });

  it('a measured rate within the margin of the bandwidth needs one pass of evidence too', () => {
    // calc-dirty-rate samples a few % off: 34 MiB/s over 32 is no proof alone; with a set that did not shrink it is.
    const s = simulate({ ramMiB: 330, wssMiB: 256, dirtyMiBps: 34, bwMiBps: 32, seconds: 30 });
    const d = new ConvergenceDetector({ ...grid, maxBandwidth: 32 * MiB, dirtyRate: 34 * MiB, shrinkRule: true });
    const v = verdictOf(s, d);
    expect(v).toMatchObject({ rule: 'no-shrink', certainAtPass: 3 });
    expect(v?.message).toMatch(/did not shrink since pass 2 .*, the guest dirtying 34 MiB\/s \(calc-dirty-rate\)/);
  });

  it('which strategies get which rules', () => {
    const base = { tuning: { maxBandwidth: 32 * MiB }, deadlineMs: 40_000, stallMs: 5000, dirtyRate: 200 * MiB };
    const o = (strategy: Parameters<typeof detectorOptions>[0]['strategy']) => detectorOptions({ ...base, strategy });
    expect(o('precopy')).toMatchObject({ dirtyRate: 200 * MiB, shrinkRule: true, downtimeLimitMs: 300 });
    expect(o('multifd')).toMatchObject({ dirtyRate: 200 * MiB, shrinkRule: true });
    expect(o('auto-converge')).toMatchObject({ shrinkRule: true, throttleMax: 99 });
    expect(o('auto-converge').dirtyRate).toBeUndefined(); // the throttle slows the guest below what was measured
    expect(o('xbzrle').dirtyRate).toBeUndefined(); // deltas, not whole pages
    expect(o('xbzrle').shrinkRule).toBeUndefined();
    expect(o('postcopy').dirtyRate).toBeUndefined();
  });
});

describe('the prediction before migrating respects the deadline', () => {
  const cell = {
    ramBytes: 330.5 * MiB,
    bandwidth: 32 * MiB,
    dirtyRate: 25 * MiB,
    workingSet: 256 * MiB,
    downtimeLimitMs: 300,
  };

  it('a convergence that needs longer than the deadline does not converge within it, and says how long', () => {
    const free = predictPrecopy(cell);
    expect(free.converges).toBe(true);
    expect(free.totalMs).toBeGreaterThan(40_000);
    const p = predictPrecopy({ ...cell, deadlineMs: 40_000 });
    expect(p).toMatchObject({ converges: false, totalMs: null, wouldNeedMs: free.totalMs });
    expect(p.reason).toMatch(/^does not converge within the deadline of 40 s \(would need ~\d\d s: \d+ pass\(es\)/);
  });

  it("QEMU's setup time is part of the total; within the deadline nothing changes", () => {
    const p = predictPrecopy({ ...cell, bandwidth: 256 * MiB, setupMs: 140, deadlineMs: 40_000 });
    const q = predictPrecopy({ ...cell, bandwidth: 256 * MiB });
    expect(p.converges).toBe(true);
    expect(p.totalMs! - q.totalMs!).toBe(140);
    expect(p.wouldNeedMs).toBeUndefined();
  });
});
