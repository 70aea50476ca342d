import type { CaseResult, RunResults } from '../model/result.ts';
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

export type Verdict = 'qualified' | 'conditional' | 'not-qualified';
export const VERDICTS: readonly Verdict[] = ['qualified', 'conditional', 'not-qualified'];

/** Verdict → process exit code (see src/cli/exit-codes.ts for the whole list). */
export const VERDICT_EXIT: Readonly<Record<Verdict, number>> = { qualified: 0, conditional: 3, 'not-qualified': 1 };

export interface VerdictResult {
  verdict: Verdict;
  /** Why the verdict is not `qualified`, one line each (empty when qualified). */
  reasons: string[];
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
 * qualified: no unwaived blocker/major failed or errored, nothing cancelled, every planned cell ran.
 * conditional: only minor failures, or waived ones. not-qualified: anything else, including a run where no case ran.
 */
export function computeVerdict(results: Pick<RunResults, 'cases' | 'run'>): VerdictResult {
  const notQualified: string[] = [];
  const conditional: string[] = [];
  for (const c of results.cases) {
    const effect = caseEffect(c.status, c.severity);
    const line = `${c.id}: ${c.status} (${c.severity})`;
    if (effect === 'not-qualified') notQualified.push(line);
    else if (effect === 'conditional') conditional.push(line);
  }
  if (!results.cases.some(ran)) notQualified.push('no case ran');
  if (results.run.interrupted) notQualified.push('the run was interrupted');
  const planned = results.run.planned ?? [];
  const present = new Set(results.cases.filter((c) => c.status !== 'cancelled').map((c) => cellKey(c.suite, c.host)));
  // A cell whose cases were all skipped (the suite does not apply to that host) did run: the harness decided.
  for (const cell of planned) {
    const key = cellKey(cell.suite, cell.host);
    if (!present.has(key)) notQualified.push(`planned cell ${key} did not run`);
  }
  if (notQualified.length) return { verdict: 'not-qualified', reasons: [...notQualified, ...conditional] };
  if (conditional.length) return { verdict: 'conditional', reasons: conditional };
  return { verdict: 'qualified', reasons: [] };
}

/** A case "ran" when it reached a result on the host: not skipped, not cancelled. */
function ran(c: CaseResult): boolean {
  return c.status !== 'skipped' && c.status !== 'cancelled';
}
