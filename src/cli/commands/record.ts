import type { Command } from 'commander';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inMemoryPlan, loadLab, loadPlan } from '../../config/index.ts';
import type { LabConfig, PlanConfig } from '../../config/types.ts';
import type { RunResults } from '../../model/result.ts';
import { prepareRun } from '../../runner/prepare.ts';
import { executeRun } from '../../runner/run.ts';
import { PlainProgress, summaryLine } from '../../runner/progress.ts';
import { createTransport } from '../../transport/create.ts';
import { RecordingTransport } from '../../transport/recording.ts';
import type { Transport } from '../../transport/types.ts';
import { badInputExit, UsageExit } from '../common.ts';
import { EXIT } from '../exit-codes.ts';
import { installInterruptHandler } from '../signals.ts';

/** The suites `record` runs when no plan is given: what a host profile is for. */
export const RECORD_SUITES = ['host-os', 'server-inventory'];

export interface RecordOptions {
  lab: LabConfig;
  host: string;
  out: string;
  /** The profile's name (default: the host's name); a bare `--replay DIR` names the replayed host after it. */
  name?: string;
  /** The plan whose suites to run; default: host-os and server-inventory. Its host selection is replaced by `host`. */
  plan?: PlanConfig;
  signal?: AbortSignal;
  /** Keep the run's reports here (default: a temporary folder, removed). */
  runOut?: string;
  /** Transport to record through (default: the lab's transport for the host). */
  transport?: Transport;
  quiet?: boolean;
}

/**
 * Run the suites against one live host through a RecordingTransport and save what the host answered as a profile
 * folder: every command the fact gathering and the cases ran (not a hand-kept list), files read, QMP traffic.
 */
export async function recordHost(o: RecordOptions): Promise<{ dir: string; results: RunResults; commands: number }> {
  const config = o.lab.hosts.find((h) => h.name === o.host);
  if (!config)
    throw new UsageExit(
      `--host: no host ${o.host} in ${o.lab.file} (hosts: ${o.lab.hosts.map((h) => h.name).join(', ')})`,
    );
  const plan: PlanConfig = { ...(o.plan ?? defaultPlan(o.lab)), hosts: { names: [o.host] } };
  const recorder = new RecordingTransport(o.transport ?? createTransport(config, o.lab), config.address);
  const signal = o.signal ?? new AbortController().signal;
  // Every fact group, whatever the plan's suites read: a profile serves later plans of any suites.
  const bindings = [{ config, transport: recorder }];
  const prepared = await prepareRun({ lab: o.lab, plan, bindings, signal, facts: 'all' });
  const unreachable = prepared.hosts.find((h) => h.error);
  if (unreachable) {
    await recorder.close().catch(() => {});
    throw new Error(`${o.host}: ${unreachable.error}; nothing recorded`);
  }
  const runOut = o.runOut ? resolve(o.runOut) : await mkdtemp(join(tmpdir(), 'hwqual-record-'));
  try {
    const progress = o.quiet ? {} : new PlainProgress((line) => process.stderr.write(`${line}\n`));
    const results = await executeRun({ lab: o.lab, plan, prepared, outDir: runOut, signal, progress });
    const dir = resolve(o.out);
    const suites = plan.suites.join(', ');
    await recorder.save(dir, {
      name: o.name ?? o.host,
      description: `Recorded with \`hwqual record\` from ${o.host} (${config.address}), running ${suites}.`,
      labels: config.labels,
    });
    return { dir, results, commands: recorder.commands.length };
  } finally {
    if (!o.runOut) await rm(runOut, { recursive: true, force: true });
  }
}

function defaultPlan(lab: LabConfig): PlanConfig {
  return inMemoryPlan({ file: lab.file, sha256: lab.sha256, name: 'record', suites: RECORD_SUITES });
}

export function register(program: Command): void {
  program
    .command('record')
    .description(
      "run the host-os and server-inventory suites (or the plan's) against a live host and save its answers as a " +
        'replayable profile',
    )
    .requiredOption('--lab <file>', 'lab inventory (YAML or JSON)')
    .requiredOption('--host <name>', 'the lab host to record')
    .requiredOption('--out <dir>', 'profile folder to write (e.g. fixtures/hosts/<profile>)')
    .option('--name <name>', "name of the profile (default: the host's name)")
    .option('--plan <file>', "run this plan's suites instead of host-os and server-inventory")
    .option('--run-out <dir>', "also keep the recording run's reports here")
    .action(async (o: { lab: string; host: string; out: string; name?: string; plan?: string; runOut?: string }) => {
      const controller = new AbortController();
      const { uninstall } = installInterruptHandler(controller);
      try {
        let lab: LabConfig;
        let plan: PlanConfig | undefined;
        try {
          lab = loadLab(o.lab);
          plan = o.plan ? await loadPlan(o.plan) : undefined;
        } catch (err) {
          process.exitCode = badInputExit(err);
          return;
        }
        const r = await recordHost({
          lab,
          host: o.host,
          out: o.out,
          name: o.name,
          plan,
          runOut: o.runOut,
          signal: controller.signal,
        });
        process.stdout.write(
          `recorded ${r.commands} command run(s) from ${o.host} into ${r.dir} ` +
            `(run: ${summaryLine(r.results.summary)})\n`,
        );
        process.exitCode = controller.signal.aborted ? EXIT.interrupted : EXIT.ok;
      } catch (err) {
        if (err instanceof UsageExit) {
          process.exitCode = badInputExit(err);
          return;
        }
        process.stderr.write(`hwqual record: ${(err as Error).message}\n`);
        process.exitCode = controller.signal.aborted ? EXIT.interrupted : EXIT.failed;
      } finally {
        uninstall();
      }
    });
}
