import type { MigrationSample } from './types.ts';
import type { HeartbeatLine } from './heartbeat.ts';

/** The workload's page (fixtures/workload: every write stamps one 4 KiB page). */
const PAGE = 4096;

/**
 * The rate the workload really dirtied at (bytes/s), from its own heartbeats: each line carries the pages it has
 * stamped so far and its own monotonic clock, so the rate between two lines is exact (no page-sampling), whatever the
 * stream's delay. Over the lines of `host` written within [from, to] (ms on the controller's clock): a line's time is
 * its guest clock set against the controller's by the line that arrived soonest after it was written (the least
 * delayed), not when it arrived — a short window (a 0.3 s bulk pass) would otherwise lose the lines still in the
 * stream at its end. Undefined with fewer than two lines or less than `minMs` of guest time between the first and the
 * last. Pure.
 */
export function stampRate(
  lines: readonly HeartbeatLine[],
  host: string,
  from: number,
  to: number,
  minMs = 200,
): number | undefined {
  const own = lines.filter((l) => l.host === host);
  let offset = Number.POSITIVE_INFINITY;
  for (const l of own) offset = Math.min(offset, l.at - l.guestMs);
  const mine = own.filter((l) => l.guestMs + offset >= from && l.guestMs + offset <= to);
  if (mine.length < 2) return undefined;
  const first = mine.reduce((a, b) => (b.guestMs < a.guestMs ? b : a));
  const last = mine.reduce((a, b) => (b.guestMs > a.guestMs ? b : a));
  const ms = last.guestMs - first.guestMs;
  if (ms < minMs) return undefined;
  return ((last.writes - first.writes) * PAGE * 1000) / ms;
}

/**
 * The bulk pass of a migration on its own clock (ms since `migrate`) and what it had sent by then: from the end of
 * QEMU's setup (its setup-time: from the final answer, else the last sample that gave it, else the first sample past
 * `setup`) to the last sample still in it (sync count 1) — the pass still running there, so bytes ÷ time is its pace,
 * free of the up to one sampling period by which the first sample of pass 2 comes late; to the first sample of pass
 * 2 when the pass was shorter than MIN_BULK_MS. Undefined before any sample moved RAM. Pure.
 */
export function bulkPass(
  samples: readonly MigrationSample[],
  setupMs: number | undefined,
): { fromMs: number; toMs: number; bytes: number } | undefined {
  const moving = samples.filter((s) => s.status !== 'setup' && s.transferred > 0);
  if (!moving.length) return undefined;
  const fromMs =
    setupMs ??
    [...samples].reverse().find((s) => s.setupMs !== undefined)?.setupMs ??
    samples.find((s) => s.status !== 'setup')?.t ??
    0;
  const inBulk = moving.filter((s) => s.syncCount < 2 && s.status === 'active').at(-1);
  const end =
    inBulk && inBulk.t - fromMs >= MIN_BULK_MS ? inBulk : (moving.find((s) => s.syncCount >= 2) ?? moving.at(-1)!);
  return end.t > fromMs ? { fromMs, toMs: end.t, bytes: end.transferred } : undefined;
}

/** A bulk pass measured over less than this (ms) is measured to the first sample of pass 2 instead. */
export const MIN_BULK_MS = 300;
