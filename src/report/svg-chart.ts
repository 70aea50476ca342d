import type { CaseChart } from '../model/result.ts';
import { formatValue } from './chart-format.ts';
import { esc } from './html-escape.ts';
import { stripPlot } from './svg-strip.ts';

/** A case's own chart (CaseResult.charts) by its kind: bars (default) or a strip plot of samples. */
export function caseChart(chart: CaseChart): string {
  return chart.kind === 'strip' ? stripPlot(chart) : barChart(chart.title, chart.points, chart.unit);
}

/** A horizontal bar chart as inline SVG (no script, no font files): one labelled bar per item. */
export interface Bar {
  label: string;
  value: number;
  tone?: 'pass' | 'warn' | 'fail' | 'none';
}

const TONE_FILL = { pass: '#2e7d32', warn: '#ef8f00', fail: '#c62828', none: '#78909c' } as const;

export function barChart(title: string, bars: readonly Bar[], unit: string): string {
  const rowHeight = 18;
  const labelWidth = 320;
  const barWidth = 360;
  const height = bars.length * rowHeight + 28;
  const max = Math.max(...bars.map((b) => b.value), 0) || 1;
  const rows = bars.map((b, i) => {
    const y = 24 + i * rowHeight;
    const w = Math.max(1, Math.round((b.value / max) * barWidth));
    const label = b.label.length > 48 ? `${b.label.slice(0, 47)}…` : b.label;
    return (
      `<g><title>${esc(b.label)}: ${esc(formatValue(b.value))} ${esc(unit)}</title>` +
      `<text x="${labelWidth - 6}" y="${y + 12}" text-anchor="end">${esc(label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 2}" width="${w}" height="${rowHeight - 5}" ` +
      `fill="${TONE_FILL[b.tone ?? 'none']}"/>` +
      `<text x="${labelWidth + w + 4}" y="${y + 12}">${esc(formatValue(b.value))} ${esc(unit)}</text></g>`
    );
  });
  return (
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(title)}" ` +
    `width="${labelWidth + barWidth + 90}" height="${height}" font-family="sans-serif" font-size="11">` +
    `<text x="0" y="14" font-weight="bold">${esc(title)}</text>${rows.join('')}</svg>`
  );
}
