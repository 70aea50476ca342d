import { runMigration } from './run.ts';
import { MiB, mib } from './sample.ts';
import { bulkPass } from './stamp-rate.ts';
import type { Calibration, CellLink, WorkloadGuest } from './types.ts';

/**
 * max-bandwidth while calibrating (bytes/s): 1 TiB/s lifts QEMU's default cap (128 MiB/s), so the idle migration
 * measures the link — what the pair moves — and not the cap.
 */
export const UNCAPPED = 2 ** 40;
/** Link checks made within this long before a cell count towards its link (ms): the load swings within minutes. */
export const LINK_WINDOW_MS = 120_000;
/**
 * A cap at most this share of the link is the cell's bandwidth whatever the link does next (on the busy 2-core machine
 * the link swung ×2 within minutes, never ×2 between two cells): no check before such a cell.
 */
export const LINK_MARGIN = 0.5;

/** QEMU's setup time is the median of at least this many checks (linkNow). */
export const SETUP_CHECKS = 3;

type Base = Omit<Parameters<typeof runMigration>[0], 'guest' | 'strategy' | 'tuning'>;

/**
 * One link check: the grid's guest migrated with QEMU's cap lifted — the link, QEMU's setup time, the non-zero RAM.
 * Idle (`dirtyMiBps` 0) it runs to completion. Busy — the guest running the cell's own workload (its dirty rate over
 * its working set) — it is a probe: cancelled as soon as QEMU starts pass 2, the link being what its bulk pass moved
 * while the guest's vCPU competed with the migration thread for the host's CPUs (an idle check cannot see that: a
 * busy guest's bulk pass moved 103 MiB/s where the idle check said 341), and the rate the workload really stamped
 * meanwhile (its heartbeats: under TCG on a busy host a guest told 200 MiB/s stamped 110–175 while migrating).
 */
export async function checkLinkOnce(
  guest: Omit<WorkloadGuest, 'dirtyMiBps'>,
  base: Base,
  dirtyMiBps = 0,
): Promise<Calibration> {
  const busy = dirtyMiBps > 0;
  const cal = await runMigration({
    ...base,
    guest: { ...guest, dirtyMiBps },
    strategy: 'precopy',
    tuning: { maxBandwidth: UNCAPPED },
    ...(busy && { stopAtPass: 2 }),
  });
  const h = cal.hops[0]!;
  const setupMs = h.metrics.setupMs ?? 0;
  if (busy) {
    const pass = bulkPass(h.samples, h.metrics.setupMs);
    if (!pass || !h.samples.some((s) => s.syncCount >= 2))
      throw new Error(`the busy link check ended before its bulk pass did: ${h.outcome}${because(h)}`);
    return {
      transferredMiB: mib(pass.bytes),
      totalMs: pass.toMs,
      setupMs: pass.fromMs,
      linkMiBps: mib((pass.bytes * 1000) / (pass.toMs - pass.fromMs)),
      capMiBps: UNCAPPED / MiB,
      dirtyMiBps,
      ...(cal.stampMiBps.bulk !== undefined && { stampMiBps: cal.stampMiBps.bulk }),
    };
  }
  const total = h.metrics.totalMs;
  if (h.outcome !== 'completed' || total === undefined)
    throw new Error(`the calibration migration did not complete with its figures: ${h.outcome}${because(h)}`);
  const ramBytes = h.metrics.transferredBytes ?? 0;
  const sending = Math.max(1, total - setupMs);
  return {
    transferredMiB: mib(ramBytes),
    totalMs: total,
    setupMs,
    linkMiBps: mib((ramBytes * 1000) / sending),
    capMiBps: UNCAPPED / MiB,
  };
}

const because = (h: { diagnosis?: string; figuresNote?: string }) =>
  `${h.diagnosis ? ` (${h.diagnosis})` : ''}${h.figuresNote ? ` (${h.figuresNote})` : ''}`;

/** A link check as the grid keeps it: when it ended (epoch ms) and what it measured. */
export interface LinkRun {
  at: number;
  cal: Calibration;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * The link a cell is predicted with: the median of the checks of the last LINK_WINDOW_MS made with the cell's own
 * dirty rate (0: the idle checks) — one idle migration swings ±30 % even at a steady load (196, 257, 341 MiB/s in
 * three checks a minute apart), the median of the recent ones follows the load without following each swing. Without
 * a recent check at that rate the idle ones stand in (the newest idle one at least: the start calibration). QEMU's
 * setup time is the median over every recent check, busy or idle, and at least the last SETUP_CHECKS: one check's
 * setup can be far off (before the workload kept TCG's TLB small, hwqual-workload.c -F, setups ran 100–2155 ms and one
 * busy check's 2155 ms made a 1.5 s cell predicted at 4 s; since, 90–150 ms). Pure.
 */
export function linkNow(runs: readonly LinkRun[], now: number, checked: boolean, dirtyMiBps = 0): CellLink {
  const idle = runs.filter((r) => !r.cal.dirtyMiBps);
  const newest = idle.at(-1) ?? runs.at(-1);
  if (!newest) throw new Error('linkNow: no link check yet');
  const recent = runs.filter((r) => now - r.at <= LINK_WINDOW_MS);
  const same = recent.filter((r) => (r.cal.dirtyMiBps ?? 0) === dirtyMiBps);
  const recentIdle = recent.filter((r) => !r.cal.dirtyMiBps);
  const used = same.length ? same : recentIdle.length ? recentIdle : [newest];
  const setups = recent.length >= SETUP_CHECKS ? recent : runs.slice(-SETUP_CHECKS);
  const stamps = used.flatMap((r) => (r.cal.stampMiBps !== undefined ? [r.cal.stampMiBps] : []));
  const busy = used[0]!.cal.dirtyMiBps;
  return {
    MiBps: mib(median(used.map((r) => r.cal.linkMiBps)) * MiB),
    setupMs: Math.round(median(setups.map((r) => r.cal.setupMs))),
    runsMiBps: used.map((r) => r.cal.linkMiBps),
    checked,
    ...(busy && { dirtyMiBps: busy }),
    ...(stamps.length && { stampMiBps: mib(median(stamps) * MiB) }),
  };
}

/**
 * Whether a cell needs a link check before it: its cap is not far below the link known now (the slowest recent
 * check, busy ones included). Pure.
 */
export function needsLinkCheck(capMiBps: number, runs: readonly LinkRun[], now: number): boolean {
  const recent = runs.filter((r) => now - r.at <= LINK_WINDOW_MS);
  if (!recent.length) return true;
  return capMiBps > LINK_MARGIN * Math.min(...recent.map((r) => r.cal.linkMiBps));
}
