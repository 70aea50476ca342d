import type { Command } from 'commander';
import { openRunResults, type OpenedResults } from '../../report/results-file.ts';
import { applySignoff } from '../../report/signoff.ts';
import { writeReports } from '../../report/write.ts';
import { badInputExit } from '../common.ts';
import { loadSignoffOptions, reportOutcome, withSignoffOptions, type SignoffFlags } from '../signoff-options.ts';

/**
 * `hwqual report <dir>`: rebuild results.json, junit.xml, report.html and report.md from the recorded results. A
 * large results.json is read case by case (results-file.ts): a 10,000-host run is rebuilt in about the memory it ran
 * in.
 */
export function register(program: Command): void {
  withSignoffOptions(
    program
      .command('report')
      .description('rebuild the reports of a run folder from its results.json, without running anything')
      .argument('<dir>', 'run folder (holds results.json)'),
  ).action(async (dir: string, flags: SignoffFlags) => {
    const opened: OpenedResults[] = [];
    try {
      let prepared;
      try {
        const input = openRunResults(dir);
        opened.push(input);
        const options = loadSignoffOptions(flags);
        if (options.baseline) opened.push(options.baseline.opened);
        prepared = applySignoff(input.results, options);
      } catch (err) {
        process.exitCode = badInputExit(err);
        return;
      }
      process.exitCode = reportOutcome(dir, prepared, await writeReports(dir, prepared, { groupBy: flags.groupBy }));
    } finally {
      for (const o of opened) o.close();
    }
  });
}
