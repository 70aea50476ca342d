import { SignoffFeed } from '../report/signoff-feed.ts';
import { SignoffPass, type SignoffOptions } from '../report/signoff.ts';
import type { PreparedRun } from '../runner/prepare.ts';
import { completeRunCases } from '../runner/run.ts';

/**
 * The sign-off's pass of a run, fed as its cases finish (src/report/signoff-feed.ts): `hwqual run` gives the case
 * log its `put`, and applySignoff the pass once the cases have run (`feed.done()`), with the same `options`.
 */
export function runSignoffFeed(prepared: PreparedRun, startedAt: Date, options: SignoffOptions): SignoffFeed {
  const run = { startedAt: startedAt.toISOString(), plannedCases: prepared.plannedCases };
  return new SignoffFeed(new SignoffPass(completeRunCases(prepared), run, options), prepared.cases.length);
}
