import type { CaseResult, Waiver, WaiverRecord } from '../model/result.ts';
import { globMatch } from './glob.ts';

/**
 * Waivers turn a `failed` case (or an `error` case, when the waiver says `errors: true`) into `waived`.
 * Expiry is judged at one instant — the run's start unless `--now` — in UTC, the expiry date included, so rebuilding a
 * report later gives the same verdict. The first unexpired waiver (file order) that matches a case applies.
 */
export interface WaiverOutcome {
  cases: CaseResult[];
  records: WaiverRecord[];
}

/** YYYY-MM-DD of an instant, in UTC. */
export function utcDay(instant: string | Date): string {
  return new Date(instant).toISOString().slice(0, 10);
}

/** A waiver applies through the whole of its expiry day (UTC). */
export function isExpired(waiver: Pick<Waiver, 'expires'>, judgedAt: string): boolean {
  return utcDay(judgedAt) > waiver.expires;
}

export function waiverMatches(
  waiver: Pick<Waiver, 'match'>,
  c: Pick<CaseResult, 'suite' | 'caseId' | 'host'>,
): boolean {
  return (
    globMatch(waiver.match.suite, c.suite) &&
    globMatch(waiver.match.case, c.caseId) &&
    globMatch(waiver.match.host, c.host)
  );
}

/** The status a case had before any waiver: a previously waived case gets its failed/error status back. */
export function unwaive(c: CaseResult): CaseResult {
  if (c.status !== 'waived') return c;
  const { waiver, ...rest } = c;
  return { ...rest, status: waiver?.status ?? 'failed' };
}

function eligible(waiver: Waiver, c: CaseResult): boolean {
  return c.status === 'failed' || (c.status === 'error' && waiver.errors === true);
}

export function applyWaivers(
  cases: readonly CaseResult[],
  waivers: readonly Waiver[],
  judgedAt: string,
): WaiverOutcome {
  const records: WaiverRecord[] = waivers.map((w) => ({
    ...w,
    state: isExpired(w, judgedAt) ? 'expired' : 'unused',
    cases: [],
  }));
  const out = cases.map((original) => {
    const c = unwaive(original);
    if (c.status !== 'failed' && c.status !== 'error') return c;
    let applied: CaseResult | undefined;
    waivers.forEach((w, i) => {
      if (applied || !eligible(w, c) || !waiverMatches(w, c)) return;
      const record = records[i]!;
      record.cases.push(c.id);
      if (record.state === 'expired') return;
      record.state = 'applied';
      const status = c.status as 'failed' | 'error';
      applied = {
        ...c,
        status: 'waived',
        waiver: { reason: w.reason, ...(w.ticket ? { ticket: w.ticket } : {}), expires: w.expires, status },
      };
    });
    return applied ?? c;
  });
  return { cases: out, records };
}

/** The waiver fields of a record (to re-apply recorded waivers when a report is rebuilt without `--waivers`). */
export function waiverOf(record: WaiverRecord): Waiver {
  const { state: _state, cases: _cases, ...waiver } = record;
  return waiver;
}
