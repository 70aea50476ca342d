import { type GridSummary, summarizeGrid } from './grid-stats.ts';
import type { ConvergenceMap, GridCell } from './types.ts';

const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
/** Calibration runs further apart than this (fastest ÷ slowest) are said to disagree in the header. */
export const UNSTEADY = 1.25;

/** The map's header: the pair, the guest, the limits, and the link next to the caps the predictions use. Pure. */
export function convergenceHeader(m: ConvergenceMap): string[] {
  const c = m.calibration;
  const caps = [...new Set(m.cells.map((x) => x.bandwidthMiBps))].sort((a, b) => a - b);
  const slower = caps.filter((b) => b > c.linkMiBps);
  const runs = c.runsMiBps ?? [];
  const spread = runs.length > 1 ? Math.max(...runs) / Math.min(...runs) : 1;
  return [
    `Convergence map ${m.pair[0]} → ${m.pair[1]} (${m.accel}; guest ${m.guest.memoryMiB} MiB, working set ` +
      `${m.guest.wssMiB} MiB; downtime limit ${m.downtimeLimitMs} ms; deadline ${s1(m.deadlineMs)})`,
    '',
    `- Link: **${c.linkMiBps} MiB/s**, measured by an idle migration with QEMU's cap lifted ` +
      `(max-bandwidth ${c.capMiBps} MiB/s): ${c.transferredMiB} MiB in ${c.totalMs} ms, setup ${c.setupMs} ms` +
      `${c.runsMiBps ? ` (the median of ${c.runsMiBps.length} runs: ${c.runsMiBps.join(', ')} MiB/s)` : ''}` +
      `${m.shapedTo ? `; the lab link shaped to ${m.shapedTo}` : ''}.`,
    m.linkChecks
      ? linkChecksLine(m, caps)
      : `- Caps (max-bandwidth): ${caps.join(', ')} MiB/s. Each cell is predicted before it migrates with min(its ` +
        `cap, the link)${
          slower.length
            ? `: the link is slower than ${slower.join(', ')} MiB/s, so those cells use the link's speed`
            : ''
        }.`,
    ...(spread > UNSTEADY ? [unsteadyLine(runs, spread)] : []),
  ];
}

/** How the cells' links were found: checked again before the cells, and what the checks measured. */
function linkChecksLine(m: ConvergenceMap, caps: number[]): string {
  const links = m.cells.flatMap((c) => (c.link ? [c.link.MiBps] : []));
  const checked = m.cells.filter((c) => c.link?.checked).length;
  const slower = m.cells.filter((c) => c.link && c.link.MiBps < c.bandwidthMiBps).length;
  return (
    `- Caps (max-bandwidth): ${caps.join(', ')} MiB/s. Right before each cell whose cap is above half the slowest ` +
    'recent link check, a migration with the cap lifted checks the link again — idle for a cell whose guest does ' +
    "not dirty, else a busy check: a guest running the cell's workload, cancelled once its bulk pass ends; each " +
    "cell is predicted with min(its cap, the median of the checks of the last 2 minutes at the cell's dirty rate) " +
    'and their setup time (column "link"). ' +
    `${checked} of ${m.cells.length} cells checked` +
    (links.length ? `; the cells' links ${Math.min(...links)}–${Math.max(...links)} MiB/s` : '') +
    `; ${slower} cell(s) predicted with a link slower than their cap.`
  );
}

function unsteadyLine(runs: number[], spread: number): string {
  return (
    `- **The calibration runs disagree** (${Math.min(...runs)}–${Math.max(...runs)} MiB/s, ×${spread.toFixed(2)}): ` +
    "the pair moves what the hosts' CPUs let it (a busy host starves QEMU), so the predictions of cells " +
    'whose cap is above the slowest run are uncertain.'
  );
}

function predictedText(c: GridCell): string {
  const p = c.predicted;
  const call = p.converges
    ? `converges, ${p.totalMs} ms, ${p.downtimeMs} ms`
    : p.wouldNeedMs !== undefined
      ? `not within the deadline (would need ~${s1(p.wouldNeedMs)})`
      : c.outcome === 'error' && !p.reason
        ? '–'
        : 'does not converge';
  const dirty = p.dirtyMiBps !== undefined ? ` (dirty ${p.dirtyMiBps} MiB/s, ${p.dirtyFrom})` : '';
  if (!p.uncertain) return `${call}${dirty}`;
  return `**uncertain**: ${call}${dirty}; ${p.uncertain.replace(/^uncertain: /, '')}`;
}

function linkText(c: GridCell): string {
  if (!c.link) return '–';
  const busy = c.link.dirtyMiBps
    ? ` (busy${c.link.stampMiBps !== undefined ? `, stamped ${c.link.stampMiBps}` : ''})`
    : '';
  return `${c.link.MiBps}${busy}${c.link.checked ? '' : ' (earlier)'}${c.link.checkError ? ' (check failed)' : ''}`;
}

function calledText(c: GridCell): string {
  if (c.outcome !== 'not-converging') return '';
  if (c.called) return `pass ${c.called.pass} at ${s1(c.called.atMs)} (${c.called.rule})`;
  return c.calledAtPass !== undefined ? `pass ${c.calledAtPass}` : '';
}

/** The map as Markdown: the header, one row per cell, then what the grid says about the model and the detector. */
export function formatConvergenceMap(m: ConvergenceMap): string {
  const rows = m.cells.map((c) => {
    const error = c.predictionError !== undefined ? `${Math.round(c.predictionError * 100)} %` : '–';
    const cells = [
      c.strategy,
      c.dirtyMiBps,
      c.bandwidthMiBps,
      c.outcome,
      c.totalMs ?? '–',
      c.downtimeMs ?? '–',
      c.blackoutMs ?? '–',
      c.passes ?? '–',
      linkText(c),
      c.measuredDirtyMiBps,
      predictedText(c),
      error,
      calledText(c),
      (c.diagnosis ?? c.error ?? '').replace(/\|/g, '\\|'),
      c.nova ?? '',
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return [
    ...convergenceHeader(m),
    '',
    '| strategy | dirty MiB/s | bandwidth MiB/s | outcome | total ms | downtime ms | blackout ms | passes | ' +
      'link MiB/s | measured dirty | predicted | error | called | diagnosis | Nova |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...formatGridSummary(m),
  ].join('\n');
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

/** The error without QEMU's setup time, and how far the setups were from the model's. */
function transferLine(errs: GridSummary['transferErrors']): string {
  const e = errs.map((x) => x.error);
  const setups = errs.map((x) => x.cell.setupMs!);
  const modelled = errs.map((x) => x.cell.link!.setupMs);
  return (
    `- The same without QEMU's setup time (total − setup: the passes and the switchover the model describes): ` +
    `max ${pct(Math.max(...e))}, mean ${pct(e.reduce((a, b) => a + b, 0) / e.length)} over ${e.length} cells; ` +
    `QEMU's setup in them ${Math.min(...setups)}–${Math.max(...setups)} ms, the model's ` +
    `${Math.min(...modelled)}–${Math.max(...modelled)} ms (from the link checks)`
  );
}
const cellName = (c: GridCell) => `${c.strategy} ${c.dirtyMiBps}/${c.bandwidthMiBps}`;

/** What the grid says: outcome agreement, prediction error (misses apart), where each non-convergence was called. */
export function formatGridSummary(m: ConvergenceMap): string[] {
  const s = summarizeGrid(m);
  const errs = s.predictionErrors.map((e) => e.error);
  const mean = errs.length ? errs.reduce((a, b) => a + b, 0) / errs.length : 0;
  const lags = s.calls.map((x) => `${cellName(x.cell)}: ${typeof x.lag === 'number' ? `${x.lag}` : x.lag}`);
  return [
    `- Outcome as predicted before migrating: **${s.agreement.agreed} of ${s.agreement.of}** cells` +
      (s.uncertain.length
        ? `; of the ${s.certain.of} predicted with certainty ${s.certain.agreed}; ${s.uncertain.length} uncertain ` +
          `(${s.uncertain.map((c) => `${cellName(c)} ${c.outcome}`).join(', ')})`
        : '') +
      (s.agreement.mismatches.length
        ? ` (not: ${s.agreement.mismatches
            .map((c) => `${cellName(c)} predicted ${predictedText(c)}, ${c.outcome}`)
            .join('; ')})`
        : '') +
      (s.errors.length ? `; ${s.errors.length} cell(s) in error, outside every figure` : '') +
      (s.unmodelled
        ? `; ${s.unmodelled} cell(s) of auto-converge, xbzrle or post-copy, which the pre-copy model does not ` +
          'describe, outside every figure'
        : ''),
    `- Total-time prediction error over the ${errs.length} converging cells predicted to converge: ` +
      (errs.length ? `max **${pct(Math.max(...errs))}**, mean ${pct(mean)}` : 'no cell') +
      `; converging cells predicted not to: ${s.misses.length ? s.misses.map(cellName).join(', ') : 'none'} (misses)`,
    ...(s.transferErrors.length ? [transferLine(s.transferErrors)] : []),
    `- Non-convergence called at: ${
      s.calls.length ? s.calls.map((x) => `${cellName(x.cell)} ${calledText(x.cell)}`).join('; ') : 'no cell'
    }`,
    `- Passes from certain to called: ${lags.length ? lags.join('; ') : 'no cell'}`,
    `- Ended at the deadline: ${s.atDeadline.length} cell(s)${
      s.atDeadline.length ? ` (${s.atDeadline.map(cellName).join(', ')})` : ''
    }, ${s.certainAtDeadline.length} of them certain before it`,
  ];
}
