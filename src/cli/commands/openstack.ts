import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { buildHandoff, fragmentFile, handoffMarkdown, novaConf, refusal, type Handoff } from '../../openstack/index.ts';
import { readRunResults } from '../../report/read-results.ts';
import { badInputExit, UsageExit } from '../common.ts';
import { runCommand } from './run.ts';

interface OpenstackOptions {
  pool?: string;
  out?: string;
  verify?: boolean;
  lab?: string;
  verifyOut?: string;
  accel?: string;
}

/**
 * `hwqual openstack <run>`: from a qualified run's results.json alone, the Nova configuration of each CPU pool
 * (nova-compute-<pool>.conf), the traits each host will report and the flavors of the qualified features
 * (handoff.json, handoff.md). Bad input exits 2 and a run that is not a sign-off exits with its verdict's code;
 * neither writes anything. `--verify --lab <lab>` then proves what was written with Nova's own code on each host of
 * each pool: the openstack-handoff suite, through the runner (plan file, reports and exit code as `hwqual run`).
 */
export function register(program: Command): void {
  program
    .command('openstack')
    .description("write the Nova configuration, traits and flavors of a qualified run's CPU pools (offline)")
    .argument('<run>', 'run folder (holds results.json) or a results.json')
    .option('--pool <name>', 'only this pool')
    .option('--out <dir>', 'where to write (default: <run>/openstack)')
    .option('--verify', "then prove it with Nova's own code on every host of each pool (needs --lab)")
    .option('--lab <file>', 'with --verify: the lab inventory of the pools’ hosts')
    .option('--verify-out <dir>', 'with --verify: its report folder (default: <out>/verify)')
    .option('--accel <auto|kvm|tcg>', "with --verify: the accelerator of nova-guest's guests", 'auto')
    .action(async (run: string, flags: OpenstackOptions) => {
      process.exitCode = await openstackCommand(run, flags, process.argv.slice(2));
    });
}

export async function openstackCommand(run: string, flags: OpenstackOptions, argv: string[]): Promise<number> {
  let handoff: Handoff;
  try {
    if (flags.verify && !flags.lab) throw new UsageExit('--verify needs --lab <file>: the hosts Nova is asked on');
    if (!flags.verify && (flags.lab || flags.verifyOut)) throw new UsageExit('--lab and --verify-out go with --verify');
    if (!['auto', 'kvm', 'tcg'].includes(flags.accel ?? 'auto'))
      throw new UsageExit(`--accel ${flags.accel}: expected auto, kvm or tcg`);
    const { results } = readRunResults(run);
    const refused = refusal(results);
    if (refused) {
      process.stderr.write(`hwqual: ${refused.message}\n`);
      return refused.exitCode;
    }
    handoff = buildHandoff(results, flags.pool);
  } catch (err) {
    return badInputExit(err);
  }
  const out = resolve(flags.out ?? join(run.endsWith('.json') ? join(run, '..') : run, 'openstack'));
  mkdirSync(out, { recursive: true });
  for (const p of handoff.pools) writeFileSync(join(out, fragmentFile(p)), novaConf(handoff, p));
  writeFileSync(join(out, 'handoff.json'), `${JSON.stringify(handoff, null, 2)}\n`);
  writeFileSync(join(out, 'handoff.md'), handoffMarkdown(handoff));
  for (const p of handoff.pools)
    process.stdout.write(
      `pool ${p.pool}: cpu_models = ${p.cpuModels.map((m) => m.libvirt).join(', ')}; ` +
        `${p.flavors.length} flavor(s); ${p.notOffered.length} feature(s) not offered\n`,
    );
  process.stdout.write(`written: ${out}\n`);
  if (!flags.verify) return 0;
  const plan = join(out, 'verify-plan.yaml');
  writeFileSync(plan, verifyPlan(handoff, out, flags.pool, flags.accel));
  process.stdout.write(`verifying with Nova on each host: hwqual run --lab ${flags.lab} --plan ${plan}\n`);
  return runCommand({ lab: flags.lab!, plan, out: resolve(flags.verifyOut ?? join(out, 'verify')) }, argv);
}

/** The plan `--verify` runs, kept beside the hand-off so the proof can be re-run as it was: the suite on the pools. */
export function verifyPlan(h: Handoff, dir: string, pool?: string, accel = 'auto'): string {
  const hosts = [...new Set(h.pools.flatMap((p) => p.hosts))];
  return stringify({
    name: `openstack hand-off of ${h.run.plan}`,
    suites: ['openstack-handoff'],
    // Nova drives libvirt: the guests of nova-guest are libvirt's.
    driver: 'libvirt',
    accel,
    hosts: { names: hosts },
    settings: { openstack: { dir, ...(pool && { pool }) } },
  });
}
