import { HwqualError } from '../model/errors.ts';
import { hostAnswers, waitForHost } from './host-answers.ts';
import { markPending, markResolved, markStillPending, retireCheckName, type RetireRole } from './pending-cleanup.ts';
import type { CleanupRecord, Endpoint, GuestHandle, HopReport } from './types.ts';
import { qemuLeft } from './verify.ts';

export interface RetireOptions {
  /** How long to wait, within the case, for a host that does not answer before leaving the cleanup pending (ms). */
  waitMs: number;
  /** The runner's deferred cleanup (CaseContext.defer): one more try when the case ends, also on timeout or cancel. */
  defer?: (cleanup: () => Promise<void>) => void;
  signal?: AbortSignal;
  log?: (m: string) => void;
}

/** A host that answers within this counts as reachable for a cleanup (ms). */
const PROBE_MS = 5000;
/**
 * The deferred try's own bound (ms): long enough for an SSH connection left wedged by the cut (TCP retransmit
 * back-off) to be declared lost by its keepalives and reopened, short enough not to hold up the run.
 */
const LAST_TRY_MS = 30_000;

/**
 * End the VM that no longer holds the guest and check nothing of it is left. When its host does not answer (a cut
 * link), the cleanup is recorded as pending, handed to the runner's deferred cleanups, and run as soon as the host
 * answers again within `waitMs`; the report keeps that history.
 */
export async function retireGuest(
  report: HopReport,
  g: GuestHandle,
  host: Endpoint,
  role: RetireRole,
  o: RetireOptions,
): Promise<void> {
  const log = o.log ?? (() => {});
  if (await hostAnswers(host.transport, PROBE_MS, o.signal)) {
    await g.vm.teardown().catch(() => {
      /* checked below */
    });
    const left = await qemuLeft(g);
    if (left !== undefined) {
      report.checks.push({
        name: retireCheckName(host.name, role),
        ok: !left,
        detail: left
          ? `a QEMU or the work dir ${g.vm.paths.workDir} is still on ${host.name}`
          : `${g.vm.paths.workDir} gone`,
      });
      return;
    }
  }
  const rec = markPending(
    report,
    { host: host.name, role, workDir: g.vm.paths.workDir },
    Date.now(),
    'the host does not answer',
  );
  log(rec.detail);
  o.defer?.(() => lastTry(report, rec, g, host, log));
  const back = await waitForHost(host.transport, { waitMs: o.waitMs, probeMs: PROBE_MS, signal: o.signal });
  if (back === undefined) {
    markStillPending(report, rec, o.waitMs, !!o.defer);
    log(rec.detail);
    return;
  }
  markResolved(report, rec, back, await cleanUp(g));
  log(rec.detail);
}

/** Teardown (or, when it already ran and failed, the kill-and-remove script again); true when something is left. */
export async function cleanUp(g: GuestHandle): Promise<boolean> {
  if (!g.vm.tornDown) await g.vm.teardown().catch(() => {});
  let left = await qemuLeft(g);
  if (left !== false) {
    await g.vm.sweep().catch(() => {});
    left = await qemuLeft(g);
  }
  return left !== false;
}

/**
 * The deferred cleanup: nothing to do when the cleanup already ran; otherwise one bounded try, and a stated failure.
 */
async function lastTry(
  report: HopReport,
  rec: CleanupRecord,
  g: GuestHandle,
  host: Endpoint,
  log: (m: string) => void,
): Promise<void> {
  if (rec.state !== 'pending') return;
  if ((await waitForHost(host.transport, { waitMs: LAST_TRY_MS, probeMs: PROBE_MS })) === undefined) {
    throw new HwqualError(
      'E_HOST_UNREACHABLE',
      `cleanup pending on ${host.name}: still no answer when the case ended; the work dir ${rec.workDir} and its ` +
        `QEMU may remain there`,
      { host: host.name },
    );
  }
  const state = markResolved(report, rec, Date.now(), await cleanUp(g));
  log(rec.detail);
  if (state !== 'cleaned') throw new HwqualError('E_VM', rec.detail, { host: host.name });
}
