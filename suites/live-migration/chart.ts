import type { CaseChart } from '../../src/suite-api/index.ts';
import { mib, type HopReport } from '../../src/suite-api/migration.ts';

/**
 * The per-pass series of one hop as chart data (plain, for CaseResult.charts): remaining MiB at each dirty sync,
 * and the dirty rate and throughput QEMU measured there (MiB/s). Pure.
 */
export function passCharts(hop: HopReport): CaseChart[] {
  if (!hop.passes.length) return [];
  const head = `${hop.from} → ${hop.to} (${hop.strategy})`;
  const label = (p: HopReport['passes'][number]) =>
    `pass ${p.pass} @${(p.t / 1000).toFixed(1)}s${p.throttlePct ? ` throttle ${p.throttlePct}%` : ''}`;
  const series = (title: string, unit: string, value: (p: HopReport['passes'][number]) => number): CaseChart => ({
    title: `${head}: ${title}`,
    unit,
    points: hop.passes.map((p) => ({ label: label(p), value: value(p) })),
  });
  return [
    series('remaining per pass', 'MiB', (p) => mib(p.remaining)),
    series('dirty rate per pass', 'MiB/s', (p) => mib(p.dirtyRate)),
    series('throughput per pass', 'MiB/s', (p) => mib(p.throughput)),
  ];
}
