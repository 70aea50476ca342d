import type { RunResults, Waiver } from '../model/result.ts';
import { summarize } from '../model/result.ts';
import { diffBaseline } from './baseline.ts';
import { computeVerdict, VERDICT_EXIT } from './verdict.ts';
import { applyWaivers, waiverOf } from './waivers.ts';

export interface SignoffOptions {
  /**
   * Waivers to apply. Absent: the waivers recorded in `results.waivers` are applied again (a rebuild changes nothing).
   */
  waivers?: { file: string; sha256: string; waivers: Waiver[] };
  /** An earlier run to diff against. Absent: a recorded `results.baseline` is kept. */
  baseline?: { file: string; results: RunResults; threshold?: number };
  /** The instant waiver expiry is judged at (ISO). Default: the run's start time. */
  now?: string;
}

/**
 * The one sign-off step the runner (after a run), `hwqual report` (rebuild) and `hwqual merge` all call, so
 * results.json, junit.xml, report.html and report.md always agree: waivers, summary, baseline diff, verdict.
 * Pure: returns new results and never reads files.
 */
export function applySignoff(results: RunResults, options: SignoffOptions = {}): RunResults {
  const judgedAt = new Date(options.now ?? results.run.startedAt).toISOString();
  const waivers = options.waivers?.waivers ?? (results.waivers ?? []).map(waiverOf);
  const { cases, records } = applyWaivers(results.cases, waivers, judgedAt);
  const run = { ...results.run };
  if (options.waivers) {
    run.waiversFile = options.waivers.file;
    run.waiversSha256 = options.waivers.sha256;
  }
  const next: RunResults = { ...results, run, cases, summary: summarize(cases) };
  if (records.length) next.waivers = records;
  else delete next.waivers;
  if (options.baseline) {
    next.baseline = diffBaseline(next, options.baseline.results, {
      file: options.baseline.file,
      threshold: options.baseline.threshold,
    });
  }
  const { verdict, reasons, coverage } = computeVerdict(next);
  next.signoff = { verdict, exitCode: VERDICT_EXIT[verdict], reasons, judgedAt, ...(coverage && { coverage }) };
  return next;
}
