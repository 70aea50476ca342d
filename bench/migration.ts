// Live-migration benchmark on a 2-host lab-in-a-box: a small convergence grid, then the targets:
// hwqual's wall time ≤ 1.05 × QEMU's total-time, prediction error ≤ 20 % on converging cells, and
// non-convergence called within 3 passes of it becoming certain.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { labDown, labUp } from '../src/lab/index.ts';
import { ensureImage } from '../src/vm/images/builder.ts';
import { openLabEndpoints, type LabEndpoints } from '../src/cli/lab-endpoints.ts';
import { formatConvergenceMap, runGrid } from '../src/migration/index.ts';

export async function benchMigration(): Promise<string> {
  const root = mkdtempSync('/tmp/hwq-bench-mig-');
  const state = await labUp({ dir: join(root, 'lab'), hosts: 2 });
  let lab: LabEndpoints | undefined;
  try {
    lab = await openLabEndpoints(state.labYaml);
    const { ends } = lab;
    const map = await runGrid({
      source: ends[0],
      destination: ends[1],
      image: await ensureImage('tiny'),
      guest: { accel: 'tcg', memoryMiB: 256, wssMiB: 24 },
      dirty: [0, 8, 60],
      bandwidth: [12, 32],
      strategies: ['precopy'],
      deadlineMs: 30_000,
    });
    const done = map.cells.filter((c) => c.outcome === 'completed');
    const overhead = Math.max(0, ...done.map((c) => c.overheadRatio ?? 0));
    const errs = done
      .filter((c) => c.predicted.converges && c.predictionError !== undefined)
      .map((c) => c.predictionError!);
    const hot = map.cells.filter((c) => c.outcome === 'not-converging');
    const lag = hot.map((c) => (c.calledAtPass ?? 0) - (c.certainAtPass ?? c.calledAtPass ?? 0));
    const line = (name: string, value: string, ok: boolean) => `| ${name} | ${value} | ${ok ? 'met' : 'MISSED'} |`;
    return [
      '## migration: convergence grid on a 2-host lab (precopy, TCG)',
      '',
      formatConvergenceMap(map),
      '',
      '| target | measured | |',
      '|---|---|---|',
      line(
        'hwqual wall time ≤ 1.05 × QEMU total-time',
        `max ${overhead.toFixed(3)} × over ${done.length} completed cells`,
        overhead <= 1.05,
      ),
      line(
        'prediction error ≤ 20 % (converging cells)',
        errs.length
          ? `max ${Math.round(Math.max(...errs) * 100)} %, ` +
              `mean ${Math.round((errs.reduce((a, b) => a + b, 0) / errs.length) * 100)} % over ${errs.length}`
          : 'no cell',
        errs.length > 0 && Math.max(...errs) <= 0.2,
      ),
      line(
        'non-convergence called ≤ 3 passes after certain',
        hot.length ? `max ${Math.max(...lag)} passes over ${hot.length} cells` : 'no cell',
        hot.length > 0 && Math.max(...lag) <= 3,
      ),
    ].join('\n');
  } finally {
    await lab?.close();
    await labDown(join(root, 'lab'));
    rmSync(root, { recursive: true, force: true });
  }
}
