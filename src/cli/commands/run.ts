import type { Command } from 'commander';
import { resolve } from 'node:path';
import { prepareRun } from '../../runner/prepare.ts';
import { executeRun } from '../../runner/run.ts';
import { parseShard } from '../../runner/shard.ts';
import { applySignoff } from '../../report/signoff.ts';
import { writeReports } from '../../report/write.ts';
import { badInputExit, buildFilter, collectList, loadConfigs } from '../common.ts';
import { EXIT } from '../exit-codes.ts';
import { replayBindings } from '../replay-option.ts';
import { installInterruptHandler } from '../signals.ts';
import { loadSignoffOptions, reportOutcome, withSignoffOptions, type SignoffFlags } from '../signoff-options.ts';

export interface RunCliOptions extends SignoffFlags {
  lab: string; plan: string; out: string; grep?: string; grepInvert?: string; tag?: string[]; replay?: string; shard?: string;
}

export function register(program: Command): void {
  withSignoffOptions(program
    .command('run')
    .description('run the plan on its hosts and write junit.xml, results.json, report.html, report.md and a folder per case')
    .requiredOption('--lab <file>', 'lab inventory (YAML or JSON)')
    .requiredOption('--plan <file>', 'qualification plan (YAML or JSON)')
    .option('--out <dir>', 'report folder', `reports/run-${new Date().toISOString().replace(/[:.]/g, '-')}`)
    .option('--grep <regex>', 'only cases whose id or title matches')
    .option('--grep-invert <regex>', 'leave out cases whose id or title matches')
    .option('--tag <tag>', 'only cases with this tag (repeatable, or comma-separated)', collectList)
    .option('--replay <profiles>', 'answer from recorded host profiles instead of live hosts: DIR or NAME=DIR, comma-separated')
    .option('--shard <i/n>', 'run a stable share of the suite × host groups (merge the shards with hwqual merge)'))
    .action(async (o: RunCliOptions) => {
      process.exitCode = await runCommand(o, process.argv.slice(2));
    });
}

/** The whole `run`: bad input → 2 with nothing run; otherwise the verdict's code, or 130 when interrupted. */
export async function runCommand(o: RunCliOptions, argv: string[]): Promise<number> {
  const controller = new AbortController();
  const uninstall = installInterruptHandler(controller);
  try {
    const startedAt = new Date();
    let prepared, lab, plan, signoff, shard;
    try {
      ({ lab, plan } = loadConfigs(o.lab, o.plan));
      const filter = buildFilter(o);
      signoff = loadSignoffOptions(o);
      shard = o.shard ? parseShard(o.shard) : undefined;
      const bindings = o.replay ? await replayBindings(o.replay, lab, plan) : undefined;
      prepared = await prepareRun({ lab, plan, filter, bindings, shard, signal: controller.signal });
    } catch (err) {
      if (controller.signal.aborted) return EXIT.interrupted;
      return badInputExit(err);
    }
    const outDir = resolve(o.out);
    const raw = await executeRun({ lab, plan, prepared, outDir, signal: controller.signal, argv, startedAt, shard });
    const results = applySignoff(raw, signoff);
    const written = await writeReports(outDir, results);
    const code = reportOutcome(o.out, results, written);
    return results.run.interrupted ? EXIT.interrupted : code;
  } finally {
    uninstall();
  }
}
