import type { Command } from 'commander';
import { resolve } from 'node:path';
import { prepareRun } from '../../runner/prepare.ts';
import { executeRun } from '../../runner/run.ts';
import { writeReports } from '../../report/write.ts';
import { badInputExit, buildFilter, collectList, loadConfigs } from '../common.ts';
import { EXIT, runExitCode } from '../exit-codes.ts';
import { replayBindings } from '../replay-option.ts';
import { installInterruptHandler } from '../signals.ts';

export interface RunCliOptions {
  lab: string; plan: string; out: string; grep?: string; grepInvert?: string; tag?: string[]; replay?: string;
}

export function register(program: Command): void {
  program
    .command('run')
    .description('run the plan on its hosts and write junit.xml, results.json and a folder per case')
    .requiredOption('--lab <file>', 'lab inventory (YAML or JSON)')
    .requiredOption('--plan <file>', 'qualification plan (YAML or JSON)')
    .option('--out <dir>', 'report folder', `reports/run-${new Date().toISOString().replace(/[:.]/g, '-')}`)
    .option('--grep <regex>', 'only cases whose id or title matches')
    .option('--grep-invert <regex>', 'leave out cases whose id or title matches')
    .option('--tag <tag>', 'only cases with this tag (repeatable, or comma-separated)', collectList)
    .option('--replay <profiles>', 'answer from recorded host profiles instead of live hosts: DIR or NAME=DIR, comma-separated')
    .action(async (o: RunCliOptions) => {
      process.exitCode = await runCommand(o, process.argv.slice(2));
    });
}

export async function runCommand(o: RunCliOptions, argv: string[]): Promise<number> {
  const controller = new AbortController();
  const uninstall = installInterruptHandler(controller);
  try {
    const startedAt = new Date();
    let prepared;
    let lab;
    let plan;
    try {
      ({ lab, plan } = loadConfigs(o.lab, o.plan));
      const filter = buildFilter(o);
      const bindings = o.replay ? await replayBindings(o.replay, lab, plan) : undefined;
      prepared = await prepareRun({ lab, plan, filter, bindings, signal: controller.signal });
    } catch (err) {
      if (controller.signal.aborted) return EXIT.interrupted;
      return badInputExit(err);
    }
    const outDir = resolve(o.out);
    const results = await executeRun({ lab, plan, prepared, outDir, signal: controller.signal, argv, startedAt });
    const written = await writeReports(outDir, results);
    for (const f of written.failures) process.stderr.write(`hwqual: reporter ${f.reporter} failed: ${f.error}\n`);
    process.stdout.write(`reports: ${written.files.map((f) => f.replace(`${process.cwd()}/`, '')).join(', ')}\n`);
    return runExitCode(results);
  } finally {
    uninstall();
  }
}
