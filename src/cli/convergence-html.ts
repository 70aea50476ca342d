import { convergenceHeader, formatGridSummary, MODELLED } from '../migration/index.ts';
import type { ConvergenceMap, GridCell } from '../migration/index.ts';
import { esc } from '../report/html-escape.ts';

/**
 * convergence-map.html: per strategy the dirty × bandwidth grid as inline SVG, each cell coloured by its outcome
 * with measured vs predicted total time, the line where dirty rate = bandwidth, then every cell in a table. No
 * script; every label goes through the report's one escape function.
 */
const TONE: Record<string, { fill: string; label: string }> = {
  completed: { fill: '#c8e6c9', label: 'converges' },
  'not-converging': { fill: '#ffcdd2', label: 'does not converge' },
  stalled: { fill: '#ffe0b2', label: 'stalled' },
  error: { fill: '#cfd8dc', label: 'error' },
};
const toneOf = (c: GridCell) => TONE[c.outcome] ?? { fill: '#cfd8dc', label: c.outcome };
const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const W = 200;
const H = 70;
const LEFT = 96;
const TOP = 34;

/** Whether a cell's outcome is not what was predicted before migrating (only where the model applies). */
const mispredicted = (c: GridCell) =>
  MODELLED.has(c.strategy) && c.outcome !== 'error' && c.predicted.converges !== (c.outcome === 'completed');

/** Text of a cell: what happened, measured against predicted; a wrong prediction says so. */
function cellLines(c: GridCell): string[] {
  const p = c.predicted;
  const by = MODELLED.has(c.strategy) ? 'pred' : 'pre-copy pred';
  const predicted = p.converges
    ? `${by} ${s1(p.totalMs ?? 0)}`
    : p.wouldNeedMs !== undefined
      ? `${by}: needs ~${s1(p.wouldNeedMs)}`
      : `${by}: does not`;
  const lines = [toneOf(c).label];
  if (c.outcome === 'completed')
    lines.push(
      `measured ${c.totalMs !== undefined ? s1(c.totalMs) : '?'}`,
      `${predicted}${c.predictionError !== undefined ? ` (error ${Math.round(c.predictionError * 100)} %)` : ''}`,
    );
  else if (c.outcome === 'not-converging')
    lines.push(
      c.called
        ? `called at pass ${c.called.pass}, ${s1(c.called.atMs)} (${c.called.rule})`
        : `ran ${s1(c.totalMs ?? 0)}`,
      predicted,
    );
  else lines.push(predicted);
  if (mispredicted(c)) lines.push('✗ not as predicted');
  return lines;
}

/** Linear between the centres of the sorted values; beyond them, clamped to the grid's edge. */
function along(values: readonly number[], centre: (i: number) => number, edges: [number, number], v: number): number {
  if (v <= values[0]!) return values.length > 1 && v < values[0]! ? edges[0] : centre(0);
  for (let i = 1; i < values.length; i++)
    if (v <= values[i]!) {
      const f = (v - values[i - 1]!) / (values[i]! - values[i - 1]!);
      return centre(i - 1) + f * (centre(i) - centre(i - 1));
    }
  return edges[1];
}

function strategySvg(m: ConvergenceMap, strategy: string): string {
  const cells = m.cells.filter((c) => c.strategy === strategy);
  const bws = [...new Set(cells.map((c) => c.bandwidthMiBps))].sort((a, b) => a - b);
  const dirties = [...new Set(cells.map((c) => c.dirtyMiBps))].sort((a, b) => a - b);
  const width = Math.max(LEFT + bws.length * W + 12, 620);
  const height = TOP + dirties.length * H + 40;
  const x = (i: number) => LEFT + i * W;
  // Row 0 at the bottom: more dirt is higher up.
  const y = (j: number) => TOP + (dirties.length - 1 - j) * H;
  const parts: string[] = [];
  const texts: string[] = [];
  bws.forEach((bw, i) => {
    parts.push(`<text x="${x(i) + W / 2}" y="${TOP - 10}" text-anchor="middle">${esc(bw)} MiB/s</text>`);
  });
  dirties.forEach((d, j) => {
    parts.push(`<text x="${LEFT - 8}" y="${y(j) + H / 2 + 4}" text-anchor="end">${esc(d)} MiB/s</text>`);
  });
  for (const c of cells) {
    const i = bws.indexOf(c.bandwidthMiBps);
    const j = dirties.indexOf(c.dirtyMiBps);
    const wrong = mispredicted(c);
    const tip = [
      `dirty ${c.dirtyMiBps} MiB/s, bandwidth ${c.bandwidthMiBps} MiB/s: ${c.outcome}`,
      c.predicted.reason ? `predicted: ${c.predicted.reason}` : '',
      c.diagnosis ?? c.error ?? '',
    ]
      .filter(Boolean)
      .join('\n');
    parts.push(
      `<rect x="${x(i) + 1}" y="${y(j) + 1}" width="${W - 2}" height="${H - 2}" fill="${toneOf(c).fill}" ` +
        `stroke="${wrong ? '#212121' : '#ffffff'}" stroke-width="${wrong ? 3 : 1}"/>`,
    );
    // The text above the boundary line; the tooltip over the whole cell.
    texts.push(
      `<g><title>${esc(tip)}</title><rect x="${x(i) + 1}" y="${y(j) + 1}" width="${W - 2}" height="${H - 2}" ` +
        'fill="none" pointer-events="all"/>' +
        cellLines(c)
          .map(
            (l, k) =>
              `<text x="${x(i) + 8}" y="${y(j) + 18 + k * 15}"${k === 0 ? ' font-weight="bold"' : ''}>${esc(l)}</text>`,
          )
          .join('') +
        '</g>',
    );
  }
  // The boundary dirty = bandwidth: through each column at the height of that dirty rate.
  const cx = (i: number) => x(i) + W / 2;
  const cy = (j: number) => y(j) + H / 2;
  const top = TOP;
  const bottom = TOP + dirties.length * H;
  const points = bws.map((bw, i) => `${cx(i)},${along(dirties, cy, [bottom, top], bw).toFixed(1)}`);
  parts.push(
    `<polyline points="${points.join(' ')}" fill="none" stroke="#1565c0" stroke-width="2" stroke-dasharray="6 4"/>`,
    ...texts,
    `<text x="${LEFT}" y="${height - 22}">rows: the guest's dirty rate; columns: max-bandwidth. ` +
      `<tspan fill="#1565c0">- - dirty rate = bandwidth</tspan></text>`,
    `<text x="${LEFT}" y="${height - 6}">bold border: outcome not as predicted before migrating</text>`,
  );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(`convergence map, ${strategy}`)}" ` +
    `width="${width}" height="${height}" font-family="sans-serif" font-size="11">${parts.join('')}</svg>`
  );
}

function table(m: ConvergenceMap): string {
  const head = [
    'strategy',
    'dirty MiB/s',
    'bandwidth MiB/s',
    'outcome',
    'total ms',
    'predicted',
    'error',
    'downtime ms',
    'passes',
    'called',
    'diagnosis',
    'Nova',
  ];
  const rows = m.cells.map((c) => {
    const p = c.predicted;
    const predicted = p.converges
      ? `converges, ${p.totalMs} ms`
      : p.wouldNeedMs !== undefined
        ? `not within the deadline (~${s1(p.wouldNeedMs)})`
        : 'does not converge';
    const called = c.called ? `pass ${c.called.pass} at ${s1(c.called.atMs)} (${c.called.rule})` : '';
    const values = [
      c.strategy,
      c.dirtyMiBps,
      c.bandwidthMiBps,
      c.outcome,
      c.totalMs ?? '–',
      predicted,
      c.predictionError !== undefined ? `${Math.round(c.predictionError * 100)} %` : '–',
      c.downtimeMs ?? '–',
      c.passes ?? '–',
      called,
      c.diagnosis ?? c.error ?? '',
      c.nova ?? '',
    ];
    return `<tr>${values.map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`;
  });
  return `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.join('')}</table>`;
}

const plain = (md: string) => md.replace(/\*\*/g, '').replace(/^- /, '');

export function convergenceMapHtml(m: ConvergenceMap): string {
  const [title, , ...header] = convergenceHeader(m);
  const strategies = [...new Set(m.cells.map((c) => c.strategy))];
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${esc(title)}</title>`,
    '<style>',
    'body { font-family: sans-serif; margin: 1.5em; color: #212121; }',
    'h1 { font-size: 1.3em; }',
    'table { border-collapse: collapse; font-size: 12px; margin-top: 1em; }',
    'td, th { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }',
    'svg { display: block; margin: 0.5em 0 1.5em; }',
    '</style></head><body>',
    `<h1>${esc(title)}</h1>`,
    `<ul>${header.map((l) => `<li>${esc(plain(l))}</li>`).join('')}</ul>`,
    ...strategies.map((s) => `<h2>${esc(s)}</h2>${strategySvg(m, s)}`),
    '<h2>What the grid shows</h2>',
    `<ul>${formatGridSummary(m)
      .map((l) => `<li>${esc(plain(l))}</li>`)
      .join('')}</ul>`,
    '<h2>Every cell</h2>',
    table(m),
    '</body></html>',
    '',
  ].join('\n');
}
