import type { LineCollector } from './heartbeat.ts';
import { retireGuest, type RetireOptions } from './retire.ts';
import type { Endpoint, GuestHandle, HopReport } from './types.ts';
import { verifyHop } from './verify.ts';

/**
 * After one hop: check the guest where it should run now and end the VM that no longer holds it. Completed: the
 * guest on the destination, the source retired. Lost (post-copy recovery failed): both ended. Otherwise: the guest
 * still on the source, the destination retired. Appends to the hop's checks; returns the handle that holds the guest
 * (undefined when lost).
 */
export async function settleHop(
  report: HopReport,
  hop: { runner: GuestHandle; dst?: GuestHandle; from: Endpoint; to: Endpoint },
  collector: LineCollector,
  retire: RetireOptions,
): Promise<GuestHandle | undefined> {
  const { runner, dst, from, to } = hop;
  let holder: GuestHandle | undefined;
  if (report.outcome === 'completed' && dst) {
    await verifyHop(report, dst, collector, retire.signal);
    await retireGuest(report, runner, from, 'source', retire);
    holder = dst;
  } else if (report.outcome === 'lost') {
    // Neither side holds a whole guest any more: end both.
    if (dst) await retireGuest(report, dst, to, 'destination', retire);
    await retireGuest(report, runner, from, 'source', retire);
  } else {
    await verifyHop(report, runner, collector, retire.signal);
    if (dst) await retireGuest(report, dst, to, 'destination', retire);
    holder = runner;
  }
  const waited = report.cleanups?.filter((c) => c.waitedMs !== undefined).map((c) => c.waitedMs!) ?? [];
  if (waited.length) report.metrics.cleanupWaitedMs = Math.max(...waited);
  return holder;
}
