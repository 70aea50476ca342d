import { barChart } from '../../src/report/svg-chart.ts';
import type { HopReport } from '../../src/vm/migration/report.ts';
import { mib } from '../../src/vm/migration/sample.ts';

/** Remaining MiB per pass of one hop, as the report's bar chart. */
export function passesChart(hop: HopReport): string {
  return barChart(`${hop.from} → ${hop.to} (${hop.strategy}): remaining per pass`,
    hop.passes.map((p) => ({ label: `pass ${p.pass} @${(p.t / 1000).toFixed(1)}s`, value: mib(p.remaining) })), 'MiB');
}
