import type { CaseResult, Cases, RunMeta, RunRecord, RunResults, Waiver } from '../model/result.ts';
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

/**
 * The sign-off's pass over the cases, one case at a time (`add`, in plan order): waivers, summary, verdict tally,
 * baseline diff and the reports' digest. applySignoff makes one and runs every case through it; a run may feed one
 * as its cases finish instead (signoff-feed.ts), so the sign-off need not read 300,000 cases back from the case log.
 */
export class SignoffPass {
  readonly judgedAt: string;
  readonly step: ReturnType<typeof waiverStep>;
  readonly tally: VerdictTally;
  readonly differ: ReturnType<typeof baselineDiffer> | undefined;
  readonly digest = new CaseDigest();
  readonly summary = summarize([]);
  /** Cases added so far. */
  count = 0;

  /**
   * `cases`: the count and (when known) id hash of the cases to come, `run` and `waivers` those of the results
   * they belong to: what applySignoff checks before it takes a fed pass.
   */
  constructor(
    readonly cases: Pick<Cases, 'length' | 'idsHash'>,
    readonly run: Pick<RunMeta, 'startedAt' | 'plannedCases'>,
    readonly options: SignoffOptions = {},
    waivers?: RunRecord['waivers'],
  ) {
    this.judgedAt = new Date(options.now ?? run.startedAt).toISOString();
    this.step = waiverStep(options.waivers?.waivers ?? (waivers ?? []).map(waiverOf), this.judgedAt);
    this.tally = new VerdictTally(cases, run);
    this.differ = options.baseline && baselineDiffer(options.baseline.results, options.baseline);
  }

  /** The next case in plan order, signed (waivers applied). */
  add(original: CaseResult): CaseResult {
    const c = this.step.apply(original);
    this.count++;
    this.summary.total++;
    this.summary[c.status]++;
    this.tally.add(c);
    this.differ?.add(c);
    this.digest.add(c);
    return c;
  }

  /** Whether this pass, fed elsewhere, covers exactly these results' cases under these options. */
  covers(results: RunRecord, options: SignoffOptions): boolean {
    return (
      this.options === options &&
      !results.waivers &&
      this.run.startedAt === results.run.startedAt &&
      this.run.plannedCases === results.run.plannedCases &&
      this.cases.length === results.cases.length &&
      this.cases.idsHash === results.cases.idsHash &&
      this.count === results.cases.length
    );
  }
}

export function applySignoff(results: RunResults, options?: SignoffOptions, fed?: SignoffPass): RunResults;
export function applySignoff(results: RunRecord, options?: SignoffOptions, fed?: SignoffPass): RunRecord;
/**
 * `fed`: the pass a run fed as its cases finished (signoff-feed.ts), taken when it covers exactly these cases
 * under these options; otherwise the cases are read in a pass of their own.
 */
export function applySignoff(results: RunRecord, options: SignoffOptions = {}, fed?: SignoffPass): RunRecord {
  const inArray = Array.isArray(results.cases);
  const signed: CaseResult[] = [];
  let pass: SignoffPass;
  if (fed && !inArray && fed.covers(results, options)) pass = fed;
  else {
    pass = new SignoffPass(results.cases, results.run, options, results.waivers);
    for (const original of results.cases) {
      const c = pass.add(original);
      if (inArray) signed.push(c);
    }
  }
  const { step, tally, differ, digest, summary, judgedAt } = pass;
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
