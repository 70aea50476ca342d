import type { CaseResult, Waiver, WaiverRecord } from '../model/result.ts';
import { globMatch } from './glob.ts';

/**
 * Waivers turn a `failed` case (or an `error` case, when the waiver says `errors: true`) into `waived`.
 * Expiry is judged at one instant — the run's start unless `--now` — in UTC, the expiry date included, so rebuilding
 * a report later gives the same verdict. The first unexpired waiver (file order) that matches a case applies.
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
  const step = waiverStep(waivers, judgedAt);
  return { cases: cases.map((c) => step.apply(c)), records: step.records };
}

/**
 * The waivers as a step applied to one case at a time (the sign-off's one pass over a run's cases): `apply` gives
 * the case as signed off and, unless `record` is false (a later pass over the same cases), notes it in `records`.
 */
export function waiverStep(
  waivers: readonly Waiver[],
  judgedAt: string,
): { records: WaiverRecord[]; apply(c: CaseResult, record?: boolean): CaseResult } {
  const records: WaiverRecord[] = waivers.map((w) => ({
    ...w,
    state: isExpired(w, judgedAt) ? 'expired' : 'unused',
    cases: [],
  }));
  const apply = (original: CaseResult, record = true): CaseResult => {
    const c = unwaive(original);
    if (c.status !== 'failed' && c.status !== 'error') return c;
    for (let i = 0; i < waivers.length; i++) {
      const w = waivers[i]!;
      if (!eligible(w, c) || !waiverMatches(w, c)) continue;
      const r = records[i]!;
      if (record) r.cases.push(c.id);
      if (r.state === 'expired') continue;
      if (record) r.state = 'applied';
      const status = c.status as 'failed' | 'error';
      return {
        ...c,
        status: 'waived',
        waiver: { reason: w.reason, ...(w.ticket ? { ticket: w.ticket } : {}), expires: w.expires, status },
      };
    }
    return c;
  };
  return { records, apply };
}

/** The waiver fields of a record (to re-apply recorded waivers when a report is rebuilt without `--waivers`). */
export function waiverOf(record: WaiverRecord): Waiver {
  const { state: _state, cases: _cases, ...waiver } = record;
  return waiver;
}
