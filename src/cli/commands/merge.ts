import { realpathSync } from 'node:fs';
import type { Command } from 'commander';
import { HwqualError } from '../../model/errors.ts';
import { copyShardFiles } from '../../report/merge-files.ts';
import { mergeShards, type ShardInput } from '../../report/merge.ts';
import { openRunResults, type OpenedResults } from '../../report/results-file.ts';
import { applySignoff } from '../../report/signoff.ts';
import { writeReports } from '../../report/write.ts';
import { badInputExit } from '../common.ts';
import { loadSignoffOptions, reportOutcome, withSignoffOptions, type SignoffFlags } from '../signoff-options.ts';

/** `hwqual merge <dirs…> --out <dir>`: the shards of one run into one results.json, junit.xml and report. */
export function register(program: Command): void {
  withSignoffOptions(
    program
      .command('merge')
      .description(
        'merge the run folders of `run --shard i/n` into one (refuses different plans/labs/versions, a missing or ' +
          'repeated shard)',
      )
      .argument('<dirs...>', 'shard run folders')
      .requiredOption('--out <dir>', 'folder for the merged results and reports'),
  ).action(async (dirs: string[], flags: SignoffFlags & { out: string }) => {
    // Large shards' results.json are read case by case (results-file.ts), and stay open until the reports are written.
    const opened: OpenedResults[] = [];
    try {
      let shards: ShardInput[];
      let merged;
      try {
        shards = readShards(dirs, opened);
        const options = loadSignoffOptions(flags);
        if (options.baseline) opened.push(options.baseline.opened);
        merged = applySignoff(mergeShards(shards), options);
      } catch (err) {
        process.exitCode = badInputExit(err);
        return;
      }
      for (const s of shards) {
        const missing = await copyShardFiles(s.dir, s.results, flags.out, s.prefix);
        for (const m of missing)
          process.stderr.write(`hwqual: ${s.dir}: ${m} is missing; its link in the report will not work\n`);
      }
      const written = await writeReports(flags.out, merged, { groupBy: flags.groupBy });
      process.exitCode = reportOutcome(flags.out, merged, written);
    } finally {
      for (const o of opened) o.close();
    }
  });
}

function readShards(dirs: string[], opened: OpenedResults[]): ShardInput[] {
  const seen = new Map<string, string>();
  return dirs.map((dir) => {
    const real = safeRealpath(dir);
    const other = seen.get(real);
    if (other) throw new HwqualError('E_USAGE', `merge refused: ${dir} given twice (also as ${other})`);
    seen.set(real, dir);
    const input = openRunResults(dir);
    opened.push(input);
    const { results } = input;
    return { dir, prefix: `shard-${results.run.shard?.index ?? 'x'}`, results };
  });
}

function safeRealpath(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    throw new HwqualError('E_USAGE', `merge refused: ${dir} does not exist`);
  }
}
