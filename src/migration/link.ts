import { runMigration } from './run.ts';
import { MiB, mib } from './sample.ts';
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

type Base = Omit<Parameters<typeof runMigration>[0], 'guest' | 'strategy' | 'tuning'>;

/** One idle migration of the grid's guest with QEMU's cap lifted: the link, QEMU's setup time, the non-zero RAM. */
export async function calibrateOnce(guest: Omit<WorkloadGuest, 'dirtyMiBps'>, base: Base): Promise<Calibration> {
  const cal = await runMigration({
    ...base,
    guest: { ...guest, dirtyMiBps: 0 },
    strategy: 'precopy',
    tuning: { maxBandwidth: UNCAPPED },
  });
  const h = cal.hops[0]!;
  const total = h.metrics.totalMs;
  if (h.outcome !== 'completed' || total === undefined)
    throw new Error(
      `the calibration migration did not complete with its figures: ${h.outcome}` +
        `${h.diagnosis ? ` (${h.diagnosis})` : ''}${h.figuresNote ? ` (${h.figuresNote})` : ''}`,
    );
  const ramBytes = h.metrics.transferredBytes ?? 0;
  const setupMs = h.metrics.setupMs ?? 0;
  const sending = Math.max(1, total - setupMs);
  return {
    transferredMiB: mib(ramBytes),
    totalMs: total,
    setupMs,
    linkMiBps: mib((ramBytes * 1000) / sending),
    capMiBps: UNCAPPED / MiB,
  };
}

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
 * The link a cell is predicted with: the median of the checks of the last LINK_WINDOW_MS (at least the newest one) —
 * one idle migration swings ±30 % even at a steady load (196, 257, 341 MiB/s in three checks a minute apart), the
 * median of the recent ones follows the load without following each swing — and QEMU's setup time the same way. Pure.
 */
export function linkNow(runs: readonly LinkRun[], now: number, checked: boolean): CellLink {
  const newest = runs.at(-1);
  if (!newest) throw new Error('linkNow: no link check yet');
  const recent = runs.filter((r) => now - r.at <= LINK_WINDOW_MS);
  const used = recent.length ? recent : [newest];
  return {
    MiBps: mib(median(used.map((r) => r.cal.linkMiBps)) * MiB),
    setupMs: Math.round(median(used.map((r) => r.cal.setupMs))),
    runsMiBps: used.map((r) => r.cal.linkMiBps),
    checked,
  };
}

/** Whether a cell needs a link check before it: its cap is not far below the link known now. Pure. */
export function needsLinkCheck(capMiBps: number, runs: readonly LinkRun[], now: number): boolean {
  const recent = runs.filter((r) => now - r.at <= LINK_WINDOW_MS);
  if (!recent.length) return true;
  return capMiBps > LINK_MARGIN * Math.min(...recent.map((r) => r.cal.linkMiBps));
}
