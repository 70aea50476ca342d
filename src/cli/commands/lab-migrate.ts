import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../../config/errors.ts';
import { errorCodeOf, HwqualError, messageOf } from '../../model/errors.ts';
import { labShape } from '../../lab/index.ts';
import { resolveAccel, type AccelChoice } from '../../vm/accel.ts';
import type { Accel } from '../../vm/spec.ts';
import { ensureImage } from '../../vm/images/builder.ts';
import { openLabEndpoints, type LabEndpoints } from '../lab-endpoints.ts';
import {
  type Endpoint,
  formatConvergenceMap,
  NOVA_DEFAULTS,
  runGrid,
  STRATEGIES,
  type Strategy,
} from '../../migration/index.ts';
import { convergenceMapHtml } from '../convergence-html.ts';
import { EXIT } from '../exit-codes.ts';
import { gridSetup, loadGridPlan, type GridPlan, type GridSetup } from '../grid-plan.ts';
import { installInterruptHandler } from '../signals.ts';

const nums = (v: string) =>
  v.split(',').map((x) => {
    const n = Number(x.trim());
    if (!Number.isFinite(n) || n < 0) throw new HwqualError('E_USAGE', `not a number: ${x}`);
    return n;
  });

const ACCELS: readonly AccelChoice[] = ['auto', 'kvm', 'tcg'];

interface Options {
  lab: string;
  plan?: string;
  pair?: string;
  dirty: number[];
  bandwidth: number[];
  strategy: string;
  out: string;
  wss: string;
  memory: string;
  downtimeLimit?: string;
  deadline: string;
  accel: string;
}

export function register(program: Command): void {
  program
    .command('lab-migrate')
    .description(
      'convergence lab: migrate a workload guest between two lab hosts over a grid of dirty rates × bandwidths × ' +
        'strategies; writes a convergence map (predicted vs measured, Nova outcome) as JSON, Markdown and HTML',
    )
    .requiredOption('--lab <file>', 'lab file (e.g. the lab.yaml of `hwqual lab up`)')
    .option('--plan <file>', 'a grid file (YAML or JSON; `hwqual schema grid`); options given here replace its values')
    .option('--pair <A,B>', 'source and destination host names')
    .option('--dirty <list>', 'guest dirty rates, MiB/s', nums, [0, 20, 50, 100, 200])
    .option('--bandwidth <list>', 'max-bandwidth values, MiB/s', nums, [50, 100, 400])
    .option('--strategy <list>', `strategies (${STRATEGIES.join(', ')})`, 'precopy,auto-converge,postcopy')
    .option('--wss <MiB>', 'guest working set', '64')
    .option('--memory <MiB>', 'guest RAM', '256')
    .option('--downtime-limit <ms>', 'downtime-limit (QEMU default 300)')
    .option('--deadline <s>', 'give up on a cell after this long (the last resort)', '30')
    .option('--accel <auto|kvm|tcg>', 'how the guests run (auto: KVM where it works on both hosts)', 'auto')
    .option('--out <dir>', 'where convergence-map.json, .md and .html go', 'migration-grid')
    .action(async (o: Options, cmd: Command) => {
      const ac = new AbortController();
      const interrupt = installInterruptHandler(ac);
      let lab: LabEndpoints | undefined;
      let unshape: (() => Promise<void>) | undefined;
      try {
        // Everything the user gave is checked before any host is contacted.
        const setup = readSetup(o, (k) => cmd.getOptionValueSource(k) === 'cli');
        const shapeDir = setup.shapeRate ? labDirOf(o.lab) : undefined;
        lab = await openLabEndpoints(o.lab, { names: setup.pair, signal: ac.signal });
        const ends = lab.ends as [Endpoint, Endpoint];
        const accel = await pairAccel(ends, setup.accel, ac.signal);
        if (shapeDir && setup.shapeRate) unshape = await shapeLinks(shapeDir, setup.pair, setup.shapeRate);
        const map = await runGrid({
          source: ends[0],
          destination: ends[1],
          image: await ensureImage('tiny'),
          signal: ac.signal,
          guest: { accel, memoryMiB: setup.memoryMiB, wssMiB: setup.wssMiB },
          dirty: setup.dirty,
          bandwidth: setup.bandwidth,
          strategies: setup.strategies,
          downtimeLimitMs: setup.downtimeLimitMs,
          deadlineMs: setup.deadlineMs,
          calibrationRuns: setup.calibrationRuns,
          stallMs: setup.stallMs,
          nova: { ...NOVA_DEFAULTS, ...setup.nova },
          log: (m) => process.stdout.write(`${m}\n`),
        });
        if (setup.shapeRate) map.shapedTo = setup.shapeRate;
        mkdirSync(o.out, { recursive: true });
        writeFileSync(join(o.out, 'convergence-map.json'), `${JSON.stringify(map, null, 2)}\n`);
        const md = formatConvergenceMap(map);
        writeFileSync(join(o.out, 'convergence-map.md'), `${md}\n`);
        writeFileSync(join(o.out, 'convergence-map.html'), convergenceMapHtml(map));
        process.stdout.write(`${md}\n`);
        process.exitCode = ac.signal.aborted
          ? EXIT.interrupted
          : map.cells.some((c) => c.outcome === 'error')
            ? EXIT.failed
            : EXIT.ok;
      } catch (err) {
        process.stderr.write(`hwqual lab-migrate: ${messageOf(err)}\n`);
        process.exitCode = ['E_USAGE', 'E_CONFIG'].includes(errorCodeOf(err)) ? EXIT.badInput : EXIT.failed;
      } finally {
        interrupt.uninstall();
        await unshape?.().catch((err) =>
          process.stderr.write(`hwqual lab-migrate: lab shape --clear: ${messageOf(err)}\n`),
        );
        await lab?.close();
      }
    });
}

/** The grid file (validated) and the options, the ones given on the command line winning. */
function readSetup(o: Options, given: (option: string) => boolean): GridSetup {
  const plan: GridPlan = o.plan ? loadGridPlan(o.plan) : {};
  const strategies = o.strategy.split(',').map((s) => s.trim()) as Strategy[];
  const bad = strategies.filter((s) => !STRATEGIES.includes(s));
  if (given('strategy') && bad.length) throw new HwqualError('E_USAGE', `unknown strategy: ${bad.join(', ')}`);
  if (!ACCELS.includes(o.accel as AccelChoice))
    throw new HwqualError('E_USAGE', `--accel: ${o.accel} is not one of ${ACCELS.join(', ')}`);
  const pair = o.pair?.split(',').map((s) => s.trim());
  if (pair && (pair.length !== 2 || !pair[0] || !pair[1] || pair[0] === pair[1]))
    throw new HwqualError('E_USAGE', '--pair needs two different host names: A,B');
  const number = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new HwqualError('E_USAGE', `${flag}: not a positive number: ${v}`);
    return n;
  };
  const setup = gridSetup(
    plan,
    {
      pair: pair as [string, string] | undefined,
      dirty: o.dirty,
      bandwidth: o.bandwidth,
      strategies,
      memoryMiB: number('--memory', o.memory)!,
      wssMiB: number('--wss', o.wss)!,
      downtimeLimitMs: number('--downtime-limit', o.downtimeLimit),
      deadlineSec: number('--deadline', o.deadline)!,
      accel: o.accel as AccelChoice,
    },
    given,
  );
  if (setup.wssMiB > setup.memoryMiB)
    throw new HwqualError(
      'E_USAGE',
      `the working set (${setup.wssMiB} MiB) is more than the guest's RAM (${setup.memoryMiB} MiB)`,
    );
  return setup;
}

/** The lab-in-a-box folder of a lab file (where `lab shape` works): the folder holding it and state.json. */
function labDirOf(labFile: string): string {
  const dir = dirname(labFile);
  if (!existsSync(join(dir, 'state.json')))
    throw new ConfigError([
      `lab-shape: ${labFile} is not a lab-in-a-box's lab.yaml (no state.json beside it): ` +
        'only a lab hwqual made can be shaped',
    ]);
  return dir;
}

/** Shape both hosts' links (`lab shape --rate`); the returned function clears them again. */
async function shapeLinks(dir: string, hosts: readonly string[], rate: string): Promise<() => Promise<void>> {
  const clear = async () => {
    for (const h of hosts) await labShape(dir, h, { clear: true });
  };
  try {
    for (const h of hosts) await labShape(dir, h, { rate });
  } catch (err) {
    await clear().catch(() => {});
    throw err;
  }
  process.stdout.write(`lab link of ${hosts.join(' and ')} shaped to ${rate}\n`);
  return clear;
}

/** One accelerator for both ends (a migration cannot change it): `auto` is KVM only where both hosts can run it. */
async function pairAccel(ends: readonly Endpoint[], choice: AccelChoice, signal: AbortSignal): Promise<Accel> {
  const got = await Promise.all(ends.map((e) => resolveAccel(e.transport, choice, { signal })));
  const accel: Accel = got.every((g) => g.accel === 'kvm') ? 'kvm' : 'tcg';
  process.stdout.write(
    `accelerator: ${accel}` +
      `${choice === 'auto' ? ` (auto: ${ends.map((e, i) => `${e.name} ${got[i]!.accel}`).join(', ')})` : ''}\n`,
  );
  return accel;
}
