import type { Command } from 'commander';
import { readRunResults } from '../../report/read-results.ts';
import { applySignoff } from '../../report/signoff.ts';
import { writeReports } from '../../report/write.ts';
import { badInputExit } from '../common.ts';
import { loadSignoffOptions, reportOutcome, withSignoffOptions, type SignoffFlags } from '../signoff-options.ts';

/** `hwqual report <dir>`: rebuild results.json, junit.xml, report.html and report.md from the recorded results. */
export function register(program: Command): void {
  withSignoffOptions(
    program
      .command('report')
      .description('rebuild the reports of a run folder from its results.json, without running anything')
      .argument('<dir>', 'run folder (holds results.json)'),
  ).action(async (dir: string, flags: SignoffFlags) => {
    let prepared;
    try {
      const { results } = readRunResults(dir);
      prepared = applySignoff(results, loadSignoffOptions(flags));
    } catch (err) {
      process.exitCode = badInputExit(err);
      return;
    }
    process.exitCode = reportOutcome(dir, prepared, await writeReports(dir, prepared));
  });
}
