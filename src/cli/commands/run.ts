import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LabConfig, PlanConfig } from '../../config/types.ts';
import type { RunRecord } from '../../model/result.ts';
import type { HostBinding } from '../../runner/hosts.ts';
import { prepareRun } from '../../runner/prepare.ts';
import { resolveShardOption } from '../shard-option.ts';
import { parseFactSelection } from '../../runner/fact-groups.ts';
import { badInputExit, buildFilter, collectList, loadConfigs } from '../common.ts';
import { EXIT } from '../exit-codes.ts';
import { PhaseTimings } from '../phase-timings.ts';
import { installInterruptHandler } from '../signals.ts';
import { loadSignoffOptions, reportOutcome, withSignoffOptions, type SignoffFlags } from '../signoff-options.ts';

/** The run's case log in the report folder while the run lasts (src/model/case-log.ts); deleted after the reports. */
export const CASE_LOG = '.hwqual-cases.jsonl';

export interface RunCliOptions extends SignoffFlags {
  lab: string;
  plan: string;
  out: string;
  grep?: string;
  grepInvert?: string;
  tag?: string[];
  replay?: string;
  shard?: string;
  timings?: boolean;
  facts?: string;
}

export function register(program: Command): void {
  withSignoffOptions(
    program
      .command('run')
      .description(
        'run the plan on its hosts and write junit.xml, results.json, report.html, report.md and a folder per case',
      )
      .requiredOption('--lab <file>', 'lab inventory (YAML or JSON)')
      .requiredOption('--plan <file>', 'qualification plan (YAML or JSON)')
      .option('--out <dir>', 'report folder', `reports/run-${new Date().toISOString().replace(/[:.]/g, '-')}`)
      .option('--grep <regex>', 'only cases whose id or title matches')
      .option('--grep-invert <regex>', 'leave out cases whose id or title matches')
      .option('--tag <tag>', 'only cases with this tag (repeatable, or comma-separated)', collectList)
      .option(
        '--replay <profiles>',
        'answer from recorded host profiles instead of live hosts: DIR or NAME=DIR, comma-separated',
      )
      .option(
        '--shard <i/n|auto>',
        'run a stable share of the suite × host groups (merge the shards with hwqual merge); auto: from the CI ' +
          '(GitLab CI_NODE_INDEX/CI_NODE_TOTAL, or HWQUAL_SHARD=i/n from a Jenkins or GitHub Actions matrix)',
      )
      .option(
        '--facts <which>',
        'host facts to gather first: auto (the groups the suites read), all, none, or groups ' +
          "(identity,cpu,memory,firmware,security,virt); default: the plan's facts, else auto",
      )
      .option('--timings', 'print how long each phase took (start-up, connect + facts, cases, reports) on stderr'),
  ).action(async (o: RunCliOptions) => {
    process.exitCode = await runCommand(o, process.argv.slice(2));
  });
}

/**
 * What a command that drives the runner (drift) has loaded and checked itself: the lab and a plan it built, hosts
 * bound to transports already (replay). `o.lab` / `o.plan` are then not read.
 */
export interface RunPreset {
  lab: LabConfig;
  plan: PlanConfig;
  bindings?: HostBinding[];
}

/** The whole `run`: bad input → 2 with nothing run; otherwise the verdict's code, or 130 when interrupted. */
export async function runCommand(o: RunCliOptions, argv: string[], preset?: RunPreset): Promise<number> {
  const controller = new AbortController();
  const interrupt = installInterruptHandler(controller);
  const timings = new PhaseTimings();
  // What is needed only once the hosts have answered loads meanwhile, overlapping the connects and fact gathering
  // (module loading under tsx costs ~1 s of start-up otherwise).
  const later = Promise.all([
    import('../../runner/run.ts'),
    import('../../report/signoff.ts'),
    import('../../report/write.ts'),
    import('../../runner/case-sink.ts'),
    import('../signoff-feed.ts'),
  ]);
  later.catch(() => {}); // awaited below
  // The transports (ssh2) load while the configs are read and validated; prepareRun's own import finds them cached.
  import('../../transport/create.ts').catch(() => {});
  try {
    const startedAt = new Date();
    let prepared, lab, plan, signoff, shard;
    try {
      ({ lab, plan } = preset ?? (await loadConfigs(o.lab, o.plan)));
      const filter = buildFilter(o);
      signoff = loadSignoffOptions(o);
      const choice = resolveShardOption(o.shard);
      shard = choice.shard;
      if (choice.said) process.stderr.write(`hwqual: --shard auto: ${choice.said}\n`);
      const bindings =
        preset?.bindings ??
        (o.replay ? await (await import('../replay-option.ts')).replayBindings(o.replay, lab, plan) : undefined);
      timings.mark('configs');
      const facts = o.facts === undefined ? undefined : parseFactSelection(o.facts);
      prepared = await prepareRun({ lab, plan, filter, bindings, shard, facts, signal: controller.signal });
      timings.mark('suites + connect + facts');
    } catch (err) {
      if (controller.signal.aborted) return EXIT.interrupted;
      return badInputExit(err);
    }
    const outDir = resolve(o.out);
    const [{ executeRun }, { applySignoff }, { writeReports }, { logSink }, { runSignoffFeed }] = await later;
    // Finished cases go to the run's case log as they end, and the reports are written from it: what stays in
    // memory is per host, not per case. The log is deleted once the reports are written. The sign-off's pass is fed
    // as the cases end, so the sign-off need not read them back.
    mkdirSync(outDir, { recursive: true });
    const feed = runSignoffFeed(prepared, startedAt, signoff);
    const sink = logSink(join(outDir, CASE_LOG), prepared.cases.length, (i, c) => feed.put(i, c));
    const write = (results: RunRecord) => writeReports(outDir, results, { groupBy: o.groupBy });
    const raw = await executeRun({
      lab,
      plan,
      prepared,
      outDir,
      signal: controller.signal,
      argv,
      startedAt,
      shard,
      // A second signal skips the graceful path: the reports are then written from what finished (the rest cancelled).
      onSnapshot: (snapshot) =>
        interrupt.onForced(async () => {
          const results = applySignoff(snapshot(), signoff);
          reportOutcome(o.out, results, await write(results));
          sink.log.remove();
        }),
      sink,
    });
    timings.mark(`cases (${prepared.cases.length})`);
    let results, written;
    try {
      results = applySignoff(raw, signoff, feed.done());
      written = await write(results);
    } finally {
      sink.log.remove();
    }
    timings.mark('sign-off + reports');
    if (o.timings) process.stderr.write(`hwqual: timings: ${timings.format()}\n`);
    const code = reportOutcome(o.out, results, written);
    return results.run.interrupted ? EXIT.interrupted : code;
  } finally {
    interrupt.uninstall();
  }
}
