import type { QmpMigrationInfo } from '../model/qmp.ts';
import { poll } from '../util/poll.ts';

/**
 * QEMU's final figures of a completed migration. QEMU 7.2 sets the state to `completed` before it works out the
 * times (migrate_set_state in migration_completion; migration_calculate_complete fills in total-time and downtime
 * later, under the big lock), so a `query-migrate` answered in between reads `completed` with `total-time` 0 and
 * `downtime` 0 — recorded on this machine in 2 of 6 fast migrations sampled back to back (fixtures/qmp/). The
 * answer stays until the next migration, so the figures are read again until they are there. Newer QEMU sets the
 * state after the times (under the same lock); asking again costs nothing there.
 */
export interface FinalFigures {
  /** The answer the figures come from (the last one read). */
  info: QmpMigrationInfo;
  /** How many more `query-migrate` it took after the first `completed` answer (0: it already had them). */
  requeried: number;
  /** How long the figures were waited for (ms). */
  waitedMs: number;
  /** QEMU's names of the figures it did not give (absent, or still 0 when the wait ended); empty when complete. */
  notReported: string[];
}

/** Whether a completed migration's answer still lacks figures: `total-time` not above 0, or no `downtime`. Pure. */
export function figuresMissing(info: QmpMigrationInfo): string[] {
  if (info.status !== 'completed') return [];
  const total = info['total-time'];
  if (typeof total === 'number' && total > 0) return typeof info.downtime === 'number' ? [] : ['downtime'];
  // total-time 0 is the gap before QEMU computed the times: its downtime 0 is no figure either.
  return typeof info.downtime === 'number' && info.downtime > 0 ? ['total-time'] : ['total-time', 'downtime'];
}

/** "not reported by QEMU: total-time, downtime (…)" — how a missing figure is said, wherever it would be. Pure. */
export function notReportedNote(f: Pick<FinalFigures, 'notReported' | 'requeried' | 'waitedMs'>): string | undefined {
  if (!f.notReported.length) return undefined;
  return (
    `not reported by QEMU: ${f.notReported.join(', ')} (query-migrate still said completed without them ` +
    `${(f.waitedMs / 1000).toFixed(1)} s and ${f.requeried} queries later)`
  );
}

/**
 * The final figures of a finished migration: when `info` says `completed` without them, ask again (every `everyMs`,
 * for up to `timeoutMs`) until QEMU has filled them in. Any other final state is returned as it is.
 */
export async function finalFigures(
  query: () => Promise<QmpMigrationInfo>,
  info: QmpMigrationInfo,
  o: { timeoutMs?: number; everyMs?: number; signal?: AbortSignal } = {},
): Promise<FinalFigures> {
  let last = info;
  let requeried = 0;
  if (!figuresMissing(last).length) return { info: last, requeried, waitedMs: 0, notReported: [] };
  const started = Date.now();
  await poll(
    async () => {
      last = await query();
      requeried++;
      return figuresMissing(last).length ? undefined : true;
    },
    { timeoutMs: o.timeoutMs ?? 5000, everyMs: o.everyMs ?? 20, signal: o.signal },
  );
  return { info: last, requeried, waitedMs: Date.now() - started, notReported: figuresMissing(last) };
}
