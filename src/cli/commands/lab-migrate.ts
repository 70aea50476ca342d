import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { errorCodeOf, HwqualError, messageOf } from '../../model/errors.ts';
import { ensureImage } from '../../vm/images/builder.ts';
import { openLabEndpoints, type LabEndpoints } from '../lab-endpoints.ts';
import { formatConvergenceMap, runGrid, STRATEGIES, type Strategy } from '../../migration/index.ts';
import { EXIT } from '../exit-codes.ts';
import { installInterruptHandler } from '../signals.ts';

const nums = (v: string) =>
  v.split(',').map((x) => {
    const n = Number(x.trim());
    if (!Number.isFinite(n) || n < 0) throw new HwqualError('E_USAGE', `not a number: ${x}`);
    return n;
  });

interface Options {
  lab: string;
  pair: string;
  dirty: number[];
  bandwidth: number[];
  strategy: string;
  out: string;
  wss: string;
  memory: string;
  downtimeLimit?: string;
  deadline: string;
}

export function register(program: Command): void {
  program
    .command('lab-migrate')
    .description(
      'convergence lab: migrate a workload guest between two lab hosts over a grid of dirty rates × bandwidths × ' +
        'strategies; writes a convergence map (predicted vs measured, Nova outcome)',
    )
    .requiredOption('--lab <file>', 'lab file (e.g. the lab.yaml of `hwqual lab up`)')
    .requiredOption('--pair <A,B>', 'source and destination host names')
    .option('--dirty <list>', 'guest dirty rates, MiB/s', nums, [0, 20, 50, 100, 200])
    .option('--bandwidth <list>', 'max-bandwidth values, MiB/s', nums, [50, 100, 400])
    .option('--strategy <list>', `strategies (${STRATEGIES.join(', ')})`, 'precopy,auto-converge,postcopy')
    .option('--wss <MiB>', 'guest working set', '64')
    .option('--memory <MiB>', 'guest RAM', '256')
    .option('--downtime-limit <ms>', 'downtime-limit (QEMU default 300)')
    .option('--deadline <s>', 'give up on a cell after this long', '30')
    .option('--out <dir>', 'where convergence-map.json and .md go', 'migration-grid')
    .action(async (o: Options) => {
      const ac = new AbortController();
      const interrupt = installInterruptHandler(ac);
      let lab: LabEndpoints | undefined;
      try {
        const [from, to] = o.pair.split(',').map((s) => s.trim());
        const strategies = o.strategy.split(',').map((s) => s.trim()) as Strategy[];
        const bad = strategies.filter((s) => !STRATEGIES.includes(s));
        if (!from || !to || from === to) throw new HwqualError('E_USAGE', '--pair needs two different host names: A,B');
        if (bad.length) throw new HwqualError('E_USAGE', `unknown strategy: ${bad.join(', ')}`);
        lab = await openLabEndpoints(o.lab, { names: [from, to], signal: ac.signal });
        const { ends } = lab;
        const map = await runGrid({
          source: ends[0],
          destination: ends[1],
          image: await ensureImage('tiny'),
          signal: ac.signal,
          guest: { accel: 'tcg', memoryMiB: Number(o.memory), wssMiB: Number(o.wss) },
          dirty: o.dirty,
          bandwidth: o.bandwidth,
          strategies,
          downtimeLimitMs: o.downtimeLimit ? Number(o.downtimeLimit) : undefined,
          deadlineMs: Number(o.deadline) * 1000,
          log: (m) => process.stdout.write(`${m}\n`),
        });
        mkdirSync(o.out, { recursive: true });
        writeFileSync(join(o.out, 'convergence-map.json'), `${JSON.stringify(map, null, 2)}\n`);
        const md = formatConvergenceMap(map);
        writeFileSync(join(o.out, 'convergence-map.md'), `${md}\n`);
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
        await lab?.close();
      }
    });
}
