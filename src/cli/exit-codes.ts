import type { RunResults } from '../model/result.ts';

/** Every process outcome and its exit code, in one place. The sign-off work adds the verdict codes here. */
export const EXIT = {
  /** Every case passed or was skipped (later: verdict qualified). */
  ok: 0,
  /** A case failed or errored (later: verdict not-qualified). */
  failed: 1,
  /** Bad input: CLI, config, regex, unknown suite, a plan that selects no host or no case. Nothing ran. */
  badInput: 2,
  /** Interrupted by SIGINT/SIGTERM. */
  interrupted: 130,
  /** Verdict conditional: only minor failures, or waived ones (CI chooses to pass or stop on it). */
  conditional: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The sign-off verdict's exit code: qualified 0, conditional 3, not-qualified 1 (table in src/report/verdict.ts). */
export function verdictExitCode(verdict: 'qualified' | 'conditional' | 'not-qualified'): ExitCode {
  return verdict === 'qualified' ? EXIT.ok : verdict === 'conditional' ? EXIT.conditional : EXIT.failed;
}

/** The exit code of a finished run. */
export function runExitCode(results: Pick<RunResults, 'run' | 'summary'>): number {
  if (results.run.interrupted) return EXIT.interrupted;
  const s = results.summary;
  return s.failed + s.error + s.cancelled > 0 ? EXIT.failed : EXIT.ok;
}
