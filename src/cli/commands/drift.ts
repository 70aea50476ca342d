import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LabConfig } from '../../config/types.ts';
import { rerunCommand } from '../../drift/index.ts';
import type { RunResults } from '../../model/result.ts';
import { readRunResults } from '../../report/read-results.ts';
import type { HostBinding } from '../../runner/hosts.ts';
import { badInputExit } from '../common.ts';
import { driftInput, type DriftCliOptions, type DriftInput } from '../drift-input.ts';
import { EXIT } from '../exit-codes.ts';
import { runCommand } from './run.ts';

export function register(program: Command): void {
  program
    .command('drift')
    .description(
      'compare each host with the run that qualified it: what changed since (microcode, kernel, QEMU, BIOS…), its ' +
        'class, and the command that re-runs the cases it invalidates; exit 0 no drift, 1 drift',
    )
    .requiredOption('--qualified <run>', 'the qualified run: its report folder or its results.json')
    .requiredOption('--lab <file>', 'lab inventory (YAML or JSON) of the hosts to check')
    .option('--plan <file>', "the qualified run's plan (checked by its sha256), for the printed re-run command")
    .option('--hosts <names>', 'only these lab hosts (comma-separated; default: every host of the lab)')
    .option(
      '--replay <profiles>',
      'check recorded host profiles instead of live hosts: NAME=DIR or DIR, comma-separated',
    )
    .option('--out <dir>', 'report folder', `reports/drift-${new Date().toISOString().replace(/[:.]/g, '-')}`)
    .option('--shard <i/n>', 'check a stable share of the hosts')
    .option('--timings', 'print how long each phase took on stderr')
    .action(async (o: DriftCliOptions) => {
      process.exitCode = await driftCommand(o, process.argv.slice(2));
    });
}

/**
 * `hwqual drift`: bad input → 2 before any host is contacted; then the drift suite through runCommand (reports,
 * transcripts, replay, shards, SIGINT and the verdict's exit code: 0 no drift, 1 drift, 130 interrupted), then
 * what drifted and one command that re-runs every invalidated case. `preset`: a lab and bindings made in memory
 * (the benchmark's thousands of replayed hosts).
 */
export async function driftCommand(
  o: DriftCliOptions,
  argv: string[],
  preset?: { lab?: LabConfig; bindings?: HostBinding[] },
): Promise<number> {
  let input: DriftInput;
  try {
    input = await driftInput(o, preset);
  } catch (err) {
    return badInputExit(err);
  }
  const { lab, plan, bindings } = input;
  const code = await runCommand({ lab: o.lab, plan: plan.file, out: o.out, shard: o.shard, timings: o.timings }, argv, {
    lab,
    plan,
    bindings,
  });
  const file = join(resolve(o.out), 'results.json');
  if (code !== EXIT.badInput && existsSync(file)) printDrift(readRunResults(file).results, input);
  return code;
}

/** Per drifted host its classes, then the one re-run command for all of them. */
function printDrift(r: RunResults, input: DriftInput): void {
  const ids = new Set<string>();
  const lines: string[] = [];
  for (const h of r.hosts) {
    const d = h.facts.extra?.drift as { classes?: string[]; affected?: string[]; neverQualified?: boolean } | undefined;
    if (!d) continue;
    if (d.neverQualified) lines.push(`  ${h.name}: never qualified`);
    else if (d.classes?.length) lines.push(`  ${h.name}: ${d.classes.join(', ')} (${d.affected?.length ?? 0} case(s))`);
    for (const id of d.affected ?? []) ids.add(id);
  }
  if (!lines.length) return;
  process.stdout.write(`drift since ${input.q.file}:\n${lines.join('\n')}\n`);
  const rerun = input.plan.settings.drift?.rerun;
  if (ids.size && rerun) process.stdout.write(`re-run what it invalidated:\n  ${rerunCommand(rerun, [...ids])}\n`);
}
