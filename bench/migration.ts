// `npm run bench -- migration`: the convergence lab on a fresh 2-host lab-in-a-box, the grid (pre-copy,
// dirty 0/25/50/100/200 MiB/s × max-bandwidth 32/64/128/256 MiB/s, a 512 MiB guest rewriting 256 MiB, downtime
// limit 300 ms, deadline 40 s) and the other strategies on two hot cells, then the overhead pairs. Targets: every
// outcome as predicted before migrating; total-time prediction error ≤ 15 % on converging cells (a converging cell
// predicted not to converge is a miss, counted apart); every non-convergence called within 2 full passes after the
// bulk pass (pass ≤ 3); none of the certain ones at the deadline; hwqual's instrumentation ≤ 1.05 × QEMU's own
// total-time of the same migration by hand. Writes reports/bench/migration.{md,json}.
// Narrow it: HWQUAL_MIGRATION_PARTS=grid,strategies,overhead; HWQUAL_MIGRATION_PAIRS=5; HWQUAL_BENCH_OUT=DIR writes
// the report elsewhere.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { labDown, labUp } from '../src/lab/index.ts';
import { ensureImage } from '../src/vm/images/builder.ts';
import { openLabEndpoints, type LabEndpoints } from '../src/cli/lab-endpoints.ts';
import { runGrid } from '../src/migration/index.ts';
import { machineInfo } from './hosts-machine.ts';
import { type OverheadCell, overheadPairs } from './migration-by-hand.ts';
import { formatMigrationBench, type MigrationBench } from './migration-format.ts';

const ROOT = resolve(import.meta.dirname, '..');
export const GUEST = { accel: 'tcg' as const, memoryMiB: 512, wssMiB: 256 };
export const DIRTY = [0, 25, 50, 100, 200];
export const BANDWIDTH = [32, 64, 128, 256];
const OVERHEAD_CELLS: OverheadCell[] = [
  { dirtyMiBps: 0, bandwidthMiBps: 256 },
  { dirtyMiBps: 50, bandwidthMiBps: 128 },
];

const load1 = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

export async function benchMigration(): Promise<string> {
  const parts = (process.env.HWQUAL_MIGRATION_PARTS ?? 'grid,strategies,overhead').split(',');
  const pairs = Math.max(5, Number(process.env.HWQUAL_MIGRATION_PAIRS ?? 5));
  const started = Date.now();
  const root = mkdtempSync('/tmp/hwq-bench-mig-');
  const log = (m: string) => process.stderr.write(`[migration ${((Date.now() - started) / 1000).toFixed(0)} s] ${m}\n`);
  const bench: MigrationBench = {
    machine: machineInfo(),
    commit: '',
    date: new Date(started).toISOString().slice(0, 10),
    startedAt: new Date(started).toISOString(),
    wallSec: 0,
  };
  bench.commit = bench.machine.commit ?? 'unknown';
  const state = await labUp({ dir: join(root, 'lab'), hosts: 2 });
  let lab: LabEndpoints | undefined;
  try {
    lab = await openLabEndpoints(state.labYaml);
    const [a, b] = lab.ends as [(typeof lab.ends)[0], (typeof lab.ends)[0]];
    const image = await ensureImage('tiny');
    // A stall is a harness error: on a machine shared with other work the host can starve QEMU for seconds.
    const grid = {
      source: a,
      destination: b,
      image,
      guest: GUEST,
      downtimeLimitMs: 300,
      deadlineMs: 40_000,
      stallMs: 15_000,
      log,
    };
    if (parts.includes('grid'))
      bench.grid = await runGrid({ ...grid, dirty: DIRTY, bandwidth: BANDWIDTH, strategies: ['precopy'] });
    if (parts.includes('strategies'))
      bench.strategies = await runGrid({
        ...grid,
        dirty: [50, 200],
        bandwidth: [64],
        strategies: ['auto-converge', 'xbzrle', 'postcopy', 'multifd'],
      });
    if (parts.includes('overhead')) {
      bench.overhead = [];
      for (const cell of OVERHEAD_CELLS)
        bench.overhead.push({ ...cell, pairs: await overheadPairs({ a, b, image }, GUEST, cell, pairs, load1, log) });
    }
  } finally {
    await lab?.close();
    await labDown(join(root, 'lab'));
    rmSync(root, { recursive: true, force: true });
  }
  bench.wallSec = Math.round((Date.now() - started) / 1000);
  bench.endedAt = new Date().toISOString();
  bench.machine.loadavgEnd = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const md = formatMigrationBench(bench);
  const outDir = resolve(process.env.HWQUAL_BENCH_OUT ?? join(ROOT, 'reports/bench'));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'migration.json'), `${JSON.stringify(bench, null, 2)}\n`);
  writeFileSync(join(outDir, 'migration.md'), md);
  return md;
}
