/**
 * Every process outcome and its exit code, in one place (the README's table). How each case status feeds the
 * verdict is the STATUS_TABLE in src/report/verdict.ts.
 */
export const EXIT = {
  /** Verdict qualified (also: a command such as validate/list succeeded). */
  ok: 0,
  /** Verdict not-qualified, or a reporter failed to write its file. */
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
