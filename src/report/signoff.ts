import type { CaseResult, RunRecord, RunResults, Waiver } from '../model/result.ts';
import { mapCases, summarize } from '../model/result.ts';
import type { CaseStatus } from '../model/status.ts';
import { baselineDiffer } from './baseline.ts';
import { CaseDigest, rememberCaseDigest } from './digest.ts';
import { computeVerdict, VERDICT_EXIT, VerdictTally } from './verdict.ts';
import { waiverOf, waiverStep } from './waivers.ts';

export interface SignoffOptions {
  /**
   * Waivers to apply. Absent: the waivers recorded in `results.waivers` are applied again (a rebuild changes nothing).
   */
  waivers?: { file: string; sha256: string; waivers: Waiver[] };
  /** An earlier run to diff against. Absent: a recorded `results.baseline` is kept. */
  baseline?: { file: string; results: RunRecord; threshold?: number };
  /** The instant waiver expiry is judged at (ISO). Default: the run's start time. */
  now?: string;
}

/**
 * The one sign-off step the runner (after a run), `hwqual report` (rebuild) and `hwqual merge` all call, so
 * results.json, junit.xml, report.html and report.md always agree: waivers, summary, baseline diff, verdict.
 * Pure: returns new results and never writes files. The same pass gathers what report.html and report.md show
 * (digest.ts), so the reports need no pass of their own. One pass over the cases: cases on disk (a run's case log, a
 * results.json) stay there — the result reads them again through the waivers on each later pass; cases in an array
 * come back in an array.
 */
const WAIVABLE: ReadonlySet<CaseStatus> = new Set(['failed', 'error', 'waived']);

export function applySignoff(results: RunResults, options?: SignoffOptions): RunResults;
export function applySignoff(results: RunRecord, options?: SignoffOptions): RunRecord;
export function applySignoff(results: RunRecord, options: SignoffOptions = {}): RunRecord {
  const judgedAt = new Date(options.now ?? results.run.startedAt).toISOString();
  const waivers = options.waivers?.waivers ?? (results.waivers ?? []).map(waiverOf);
  const step = waiverStep(waivers, judgedAt);
  const tally = new VerdictTally(results.cases, results.run);
  const differ = options.baseline && baselineDiffer(options.baseline.results, options.baseline);
  const digest = new CaseDigest();
  const summary = summarize([]);
  const inArray = Array.isArray(results.cases);
  const signed: CaseResult[] = [];
  for (const original of results.cases) {
    const c = step.apply(original);
    summary.total++;
    summary[c.status]++;
    tally.add(c);
    differ?.add(c);
    digest.add(c);
    if (inArray) signed.push(c);
  }
  const run = { ...results.run };
  if (options.waivers) {
    run.waiversFile = options.waivers.file;
    run.waiversSha256 = options.waivers.sha256;
  }
  // Waivers change failed, error and waived cases only: the others pass through as they were read.
  const cases = inArray
    ? signed
    : mapCases(
        results.cases,
        (c) => step.apply(c, false),
        (st) => !WAIVABLE.has(st),
      );
  const next: RunRecord = { ...results, run, cases, summary };
  if (step.records.length) next.waivers = step.records;
  else delete next.waivers;
  if (differ) next.baseline = differ.result();
  const { verdict, reasons, coverage } = computeVerdict(next, tally);
  next.signoff = { verdict, exitCode: VERDICT_EXIT[verdict], reasons, judgedAt, ...(coverage && { coverage }) };
  rememberCaseDigest(next, digest);
  return next;
}
