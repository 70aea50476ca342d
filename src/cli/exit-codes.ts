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
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code of a finished run. */
export function runExitCode(results: Pick<RunResults, 'run' | 'summary'>): number {
  if (results.run.interrupted) return EXIT.interrupted;
  const s = results.summary;
  return s.failed + s.error + s.cancelled > 0 ? EXIT.failed : EXIT.ok;
}
