import type { CaseResult, Cases, RunMeta, RunRecord } from '../model/result.ts';
import { IdsHash } from '../model/coverage.ts';
import type { CaseStatus, Severity } from '../model/status.ts';

/**
 * THE table: every case status → its JUnit form and its effect on the run's verdict. junit.ts, the HTML/Markdown
 * reports and the README all read it from here.
 */
export type JunitForm = 'testcase' | 'failure' | 'error' | 'skipped';
/** `by-severity`: blocker/major make the run not-qualified, minor makes it conditional. */
export type VerdictEffect = 'none' | 'conditional' | 'by-severity' | 'not-qualified';

export interface StatusRule {
  junit: JunitForm;
  junitNote: string;
  effect: VerdictEffect;
  meaning: string;
}

export const STATUS_TABLE: Readonly<Record<CaseStatus, StatusRule>> = {
  passed: { junit: 'testcase', junitNote: '<testcase> with no child', effect: 'none', meaning: 'every check held' },
  flaky: {
    junit: 'testcase',
    junitNote: '<testcase> + <flakyFailure> naming the failed attempts',
    effect: 'none',
    meaning: 'failed, then passed on a retry; listed in the report',
  },
  skipped: {
    junit: 'skipped',
    junitNote: '<skipped message="reason">',
    effect: 'none',
    meaning: 'does not apply to this host (a required fact is missing)',
  },
  failed: {
    junit: 'failure',
    junitNote: '<failure message type="assertion"> with expected vs actual',
    effect: 'by-severity',
    meaning: 'the system under test is wrong',
  },
  error: {
    junit: 'error',
    junitNote: '<error message type="E_…">',
    effect: 'by-severity',
    meaning: 'the lab is wrong (unreachable host, timeout, command missing…)',
  },
  cancelled: {
    junit: 'error',
    junitNote: '<error message type="E_CANCELLED">',
    effect: 'not-qualified',
    meaning: 'did not finish (run interrupted or stopped): a planned cell did not run',
  },
  waived: {
    junit: 'skipped',
    junitNote: '<skipped message="waived: TICKET reason">',
    effect: 'conditional',
    meaning: 'failed (or errored) but matched an unexpired waiver',
  },
};

export type Verdict = 'qualified' | 'conditional' | 'incomplete' | 'not-qualified';

/**
 * THE verdict table: each verdict, its process exit code (the same numbers as src/cli/exit-codes.ts) and what it
 * means. Read by the CLI, the reports' legend and docs/reports.md. Precedence, strongest first: not-qualified,
 * incomplete, conditional, qualified — a failure is never hidden by incompleteness, and a partial run is never a
 * sign-off.
 */
export const VERDICT_TABLE: Readonly<Record<Verdict, { exit: number; meaning: string }>> = {
  qualified: {
    exit: 0,
    meaning:
      'every planned case ran; no unwaived blocker/major failure or error, nothing cancelled, every planned cell ran',
  },
  conditional: { exit: 3, meaning: 'every planned case ran; only minor failures/errors, or waived ones' },
  incomplete: {
    exit: 4,
    meaning:
      'nothing that ran makes it not-qualified, but not every planned case ran (--grep, --tag, --shard, ' +
      'a case that never started): "N of M planned cases ran; not a sign-off"',
  },
  'not-qualified': {
    exit: 1,
    meaning: 'a blocker/major case failed or errored, a case was cancelled, the run was interrupted, or nothing ran',
  },
};
export const VERDICTS: readonly Verdict[] = ['qualified', 'conditional', 'incomplete', 'not-qualified'];

/** Verdict → process exit code (see src/cli/exit-codes.ts for the whole list). */
export const VERDICT_EXIT: Readonly<Record<Verdict, number>> = Object.fromEntries(
  VERDICTS.map((v) => [v, VERDICT_TABLE[v].exit]),
) as Record<Verdict, number>;

export interface VerdictResult {
  verdict: Verdict;
  /** Why the verdict is not `qualified`, one line each (empty when qualified). */
  reasons: string[];
  /** Cases that reached a result of the planned ones, when the plan's cases are recorded (run.plannedCases). */
  coverage?: { ran: number; planned: number };
}

/** The effect of one case on the verdict (the table applied to its status and severity). */
export function caseEffect(status: CaseStatus, severity: Severity): Exclude<VerdictEffect, 'by-severity'> {
  const effect = STATUS_TABLE[status].effect;
  if (effect !== 'by-severity') return effect;
  return severity === 'minor' ? 'conditional' : 'not-qualified';
}

function cellKey(suite: string, host: string): string {
  return `${suite}@${host}`;
}

/**
 * What the verdict needs from the cases, gathered one case at a time (the sign-off reads a run's cases in one pass,
 * without holding them): the lines of what makes it not-qualified or conditional, the cells that ran, how many
 * cases reached a result, and the set hash of their ids when it is to be compared with the plan's.
 */
export class VerdictTally {
  readonly notQualified: string[] = [];
  readonly conditional: string[] = [];
  readonly present = new Set<string>();
  count = 0;
  ran = 0;
  anyRan = false;
  private readonly ids?: IdsHash;

  /**
   * `cases`: the cases to come (their count, and their ids' set hash when it is known without reading them);
   * `run`: the plan's cases they are held against.
   */
  constructor(
    private readonly cases: Pick<Cases, 'length' | 'idsHash'>,
    run: Pick<RunMeta, 'plannedCases'>,
  ) {
    // The hash is compared only when the counts agree; skip its 300,000 sha256 otherwise, or when known already.
    if (run.plannedCases && cases.length === run.plannedCases.count && !cases.idsHash) this.ids = new IdsHash();
  }

  add(c: CaseResult): void {
    this.count++;
    const effect = caseEffect(c.status, c.severity);
    if (effect === 'not-qualified') this.notQualified.push(caseReason(c));
    else if (effect === 'conditional') this.conditional.push(caseReason(c));
    if (c.status !== 'cancelled') {
      this.ran++;
      this.present.add(cellKey(c.suite, c.host));
    }
    if (c.status !== 'skipped' && c.status !== 'cancelled') this.anyRan = true;
    this.ids?.add(c.id);
  }

  /** The set hash of the ids added (undefined when not computed). */
  idsHash(): string | undefined {
    return this.cases.idsHash ?? this.ids?.hex();
  }
}

/** The reason line a case gives the verdict: `<case id>: <status> (<severity>)`. */
function caseReason(c: Pick<CaseResult, 'id' | 'status' | 'severity'>): string {
  return `${c.id}: ${c.status} (${c.severity})`;
}

const CASE_REASON = /^.+: (failed|error|cancelled|waived) \((blocker|major|minor)\)$/;

/** Whether a reason line is one case's (caseReason) rather than one about the run (interrupted, a cell, coverage). */
export function isCaseReason(line: string): boolean {
  return CASE_REASON.test(line);
}

/** A tally of every case (one pass). */
export function tallyCases(results: Pick<RunRecord, 'cases' | 'run'>): VerdictTally {
  const tally = new VerdictTally(results.cases, results.run);
  for (const c of results.cases) tally.add(c);
  return tally;
}

/**
 * not-qualified: a blocker/major failure or error, a cancelled case, an interrupted run, a planned cell with no
 * case, or no case ran at all. incomplete: otherwise, when the results hold fewer (or other) cases than the plan
 * expands to. conditional: only minor failures, or waived ones. qualified: none of these.
 */
export function computeVerdict(
  results: Pick<RunRecord, 'cases' | 'run'>,
  tally: VerdictTally = tallyCases(results),
): VerdictResult {
  const notQualified = [...tally.notQualified];
  const { conditional } = tally;
  if (!tally.anyRan) notQualified.push('no case ran');
  if (results.run.interrupted) notQualified.push('the run was interrupted');
  // A cell whose cases were all skipped (the suite does not apply to that host) did run: the harness decided.
  for (const cell of results.run.planned ?? []) {
    const key = cellKey(cell.suite, cell.host);
    if (!tally.present.has(key)) notQualified.push(`planned cell ${key} did not run`);
  }
  const gap = coverageGap(results.run, tally);
  const coverage = gap && { ran: gap.ran, planned: gap.planned };
  const withCoverage = (v: VerdictResult): VerdictResult => (coverage ? { ...v, coverage } : v);
  if (notQualified.length)
    return withCoverage({
      verdict: 'not-qualified',
      reasons: [...notQualified, ...(gap?.reason ? [gap.reason] : []), ...conditional],
    });
  if (gap?.reason) return withCoverage({ verdict: 'incomplete', reasons: [gap.reason, ...conditional] });
  if (conditional.length) return withCoverage({ verdict: 'conditional', reasons: conditional });
  return withCoverage({ verdict: 'qualified', reasons: [] });
}

/**
 * The results against the plan's cases (run.plannedCases): how many reached a result, and the reason line when not
 * all of them did. Undefined for results that do not record the plan's cases (older harness versions).
 */
export function coverageGap(
  run: Pick<RunMeta, 'plannedCases' | 'shard'>,
  tally: Pick<VerdictTally, 'count' | 'ran' | 'idsHash'>,
): { ran: number; planned: number; reason?: string } | undefined {
  const plan = run.plannedCases;
  const { shard } = run;
  const { ran } = tally;
  if (!plan) {
    if (!shard) return undefined;
    return { ran, planned: ran, reason: shardReason(shard, ran, ran) };
  }
  const same = tally.count === plan.count && tally.idsHash() === plan.idsHash;
  const cov = { ran, planned: plan.count };
  if (same && ran === plan.count) return shard ? { ...cov, reason: shardReason(shard, ran, plan.count) } : cov;
  const other = same ? '' : tally.count >= plan.count ? ' (the recorded cases are not the planned ones)' : '';
  const reason = shard
    ? shardReason(shard, ran, plan.count)
    : `incomplete: ${ran} of ${plan.count} planned cases ran${other}; not a sign-off`;
  return { ...cov, reason };
}

/** A shard alone is part of a plan, whatever ran in it: `hwqual merge` of all shards judges the whole. */
function shardReason(shard: { index: number; total: number }, ran: number, planned: number): string {
  return (
    `incomplete: a shard (${shard.index}/${shard.total}) of the plan, ${ran} of its ${planned} planned cases ran; ` +
    'not a sign-off (hwqual merge the shards to judge the whole plan)'
  );
}
