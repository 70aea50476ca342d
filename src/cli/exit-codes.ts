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
  /**
   * Verdict incomplete: nothing that ran failed, but not every planned case ran (`--grep`, `--tag`, `--shard`, a case
   * that never started): "N of M planned cases ran; not a sign-off". Merge the shards to judge the whole plan.
   */
  incomplete: 4,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The sign-off verdict's exit code (the verdict table in src/report/verdict.ts reads these). */
export const VERDICT_EXIT_CODES = {
  qualified: EXIT.ok,
  conditional: EXIT.conditional,
  incomplete: EXIT.incomplete,
  'not-qualified': EXIT.failed,
} as const;

/** qualified 0, conditional 3, incomplete 4, not-qualified 1. */
export function verdictExitCode(verdict: keyof typeof VERDICT_EXIT_CODES): ExitCode {
  return VERDICT_EXIT_CODES[verdict];
}
