import type { CleanupRecord, HopReport, VerdictCheck } from './types.ts';

export type RetireRole = CleanupRecord['role'];

/** The verdict check that says a retired VM is gone (one name per role, as the suite shows it). Pure. */
export function retireCheckName(host: string, role: RetireRole): string {
  return role === 'source' ? `source QEMU ended, no process left on ${host}` : `nothing left on ${host}`;
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

function checkOf(report: HopReport, rec: CleanupRecord): VerdictCheck {
  const name = retireCheckName(rec.host, rec.role);
  let check = report.checks.find((c) => c.name === name);
  if (!check) {
    check = { name, ok: false, detail: '' };
    report.checks.push(check);
  }
  return check;
}

/** The host did not answer: a failing check "cleanup pending on <host>", the host in cleanupPending, a record. Pure. */
export function markPending(
  report: HopReport,
  what: { host: string; role: RetireRole; workDir: string },
  at: number,
  why: string,
): CleanupRecord {
  const rec: CleanupRecord = {
    ...what,
    pendingSince: at,
    state: 'pending',
    detail: `cleanup pending on ${what.host}: ${why}`,
  };
  (report.cleanups ??= []).push(rec);
  if (!report.cleanupPending.includes(what.host)) report.cleanupPending.push(what.host);
  Object.assign(checkOf(report, rec), { ok: false, detail: rec.detail });
  return rec;
}

/** The host answered again and the cleanup ran: the check turns ok (or says what is left), the history stays. Pure. */
export function markResolved(report: HopReport, rec: CleanupRecord, at: number, left: boolean): CleanupRecord['state'] {
  rec.resolvedAt = at;
  rec.waitedMs = at - rec.pendingSince;
  rec.state = left ? 'left' : 'cleaned';
  rec.detail = left
    ? `${rec.host} answered again after ${seconds(rec.waitedMs)} s, but a QEMU or the work dir ${rec.workDir} is ` +
      `still there after the cleanup`
    : `cleaned up once ${rec.host} answered again after ${seconds(rec.waitedMs)} s (cleanup was pending since the ` +
      `host stopped answering): ${rec.workDir} gone`;
  report.cleanupPending = report.cleanupPending.filter(
    (h) => h !== rec.host || report.cleanups?.some((r) => r !== rec && r.host === h && r.state === 'pending'),
  );
  Object.assign(checkOf(report, rec), { ok: !left, detail: rec.detail });
  return rec.state;
}

/** The host stayed silent for the whole wait: the record and the check say so, and what happens next. Pure. */
export function markStillPending(report: HopReport, rec: CleanupRecord, waitedMs: number, deferred: boolean): void {
  rec.waitedMs = waitedMs;
  rec.detail = `cleanup pending on ${rec.host}: no answer within ${seconds(waitedMs)} s; ${
    deferred ? 'it is tried again when the case ends' : `the work dir ${rec.workDir} and its QEMU may remain there`
  }`;
  Object.assign(checkOf(report, rec), { ok: false, detail: rec.detail });
}
