import type { CaseChart } from '../model/result.ts';
import { formatValue } from './chart-format.ts';
import { esc } from './html-escape.ts';

/**
 * A strip plot as inline SVG (no script): one row per series (a migration's direction), one dot per sample on a
 * shared linear value axis from 0; marks with a series are ticks on that row (p50, p99), marks without one are lines
 * across every row (a gate's bound, dashed red). Every label is escaped.
 */
const LABEL_W = 200;
const PLOT_W = 420;
const ROW_H = 28;
const TOP = 24;

export function stripPlot(chart: CaseChart): string {
  const series = [...new Set(chart.points.map((p) => p.label))];
  const marks = chart.marks ?? [];
  const max = Math.max(0, ...chart.points.map((p) => p.value), ...marks.map((m) => m.value)) || 1;
  const x = (v: number) => LABEL_W + Math.round((Math.max(0, v) / max) * PLOT_W);
  const height = TOP + series.length * ROW_H + 34;
  const unit = chart.unit ? ` ${chart.unit}` : '';
  const rows = series.map((name, i) => {
    const y = TOP + i * ROW_H + ROW_H / 2;
    const label = name.length > 30 ? `${name.slice(0, 29)}…` : name;
    const dots = chart.points
      .filter((p) => p.label === name)
      .map(
        (p) =>
          `<circle cx="${x(p.value)}" cy="${y}" r="3.5" fill="#1565c0" fill-opacity="0.6">` +
          `<title>${esc(name)}: ${esc(formatValue(p.value))}${esc(unit)}</title></circle>`,
      );
    const ticks = marks
      .filter((m) => m.series === name)
      .map(
        (m) =>
          `<g><title>${esc(name)} ${esc(m.label)} = ${esc(formatValue(m.value))}${esc(unit)}</title>` +
          `<line x1="${x(m.value)}" x2="${x(m.value)}" y1="${y - 9}" y2="${y + 9}" ` +
          'stroke="#37474f" stroke-width="2"/>' +
          `<text x="${x(m.value)}" y="${y - 11}" text-anchor="middle" font-size="9">${esc(m.label)}</text></g>`,
      );
    return (
      `<g><text x="${LABEL_W - 8}" y="${y + 4}" text-anchor="end">${esc(label)}</text>` +
      `<line x1="${LABEL_W}" x2="${LABEL_W + PLOT_W}" y1="${y}" y2="${y}" stroke="#eceff1"/>` +
      `${dots.join('')}${ticks.join('')}</g>`
    );
  });
  const bottom = TOP + series.length * ROW_H;
  const lines = marks
    .filter((m) => m.series === undefined)
    .map(
      (m) =>
        `<g><title>${esc(m.label)}: ${esc(formatValue(m.value))}${esc(unit)}</title>` +
        `<line x1="${x(m.value)}" x2="${x(m.value)}" y1="${TOP - 4}" y2="${bottom}" stroke="#c62828" ` +
        `stroke-dasharray="4 3" stroke-width="1.5"/>` +
        `<text x="${x(m.value)}" y="${bottom + 12}" text-anchor="middle" fill="#c62828">${esc(m.label)}</text></g>`,
    );
  const axis =
    `<text x="${LABEL_W}" y="${bottom + 26}">0</text>` +
    `<text x="${LABEL_W + PLOT_W}" y="${bottom + 26}" text-anchor="end">${esc(formatValue(max))}${esc(unit)}</text>`;
  return (
    `<svg class="chart strip" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(chart.title)}" ` +
    `width="${LABEL_W + PLOT_W + 60}" height="${height}" font-family="sans-serif" font-size="11">` +
    `<text x="0" y="14" font-weight="bold">${esc(chart.title)}</text>${rows.join('')}${lines.join('')}${axis}</svg>`
  );
}
