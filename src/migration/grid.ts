import type { BuiltImage } from '../vm/images/built-image.ts';
import { NOVA_DEFAULTS, type NovaSettings } from './nova.ts';
import { runMigration } from './run.ts';
import { MiB, mib } from './sample.ts';
import type { Strategy } from './strategy.ts';
import type { Endpoint, WorkloadGuest } from './types.ts';

export interface GridRequest {
  source: Endpoint;
  destination: Endpoint;
  image: BuiltImage;
  guest: Omit<WorkloadGuest, 'dirtyMiBps'>;
  dirty: number[];
  /** max-bandwidth values, MiB/s. */
  bandwidth: number[];
  strategies: Strategy[];
  downtimeLimitMs?: number;
  deadlineMs?: number;
  nova?: NovaSettings;
  signal?: AbortSignal;
  log?: (m: string) => void;
}

export interface GridCell {
  strategy: Strategy;
  dirtyMiBps: number;
  bandwidthMiBps: number;
  outcome: string;
  diagnosis?: string;
  totalMs?: number;
  downtimeMs?: number;
  blackoutMs?: number;
  passes?: number;
  measuredDirtyMiBps: number;
  predicted: { converges: boolean; totalMs: number | null; downtimeMs: number; passes: number };
  predictionError?: number;
  /** Wall time hwqual took from `migrate` to seeing the end, ÷ QEMU's total-time. */
  overheadRatio?: number;
  /** Pass at which non-convergence was called, and the first pass from which remaining stopped shrinking. */
  calledAtPass?: number;
  certainAtPass?: number;
  nova?: string;
  error?: string;
}

export interface ConvergenceMap {
  pair: [string, string];
  calibration: { transferredMiB: number; throughputMiBps: number; totalMs: number };
  cells: GridCell[];
}

/**
 * The convergence lab: an idle migration calibrates the model (non-zero RAM, achievable throughput of the pair),
 * then every strategy × dirty rate × bandwidth cell runs, with the prediction next to the measurement.
 */
export async function runGrid(g: GridRequest): Promise<ConvergenceMap> {
  const log = g.log ?? (() => {});
  const base = {
    source: g.source,
    destination: g.destination,
    image: g.image,
    signal: g.signal,
    nova: g.nova ?? NOVA_DEFAULTS,
    deadlineMs: g.deadlineMs ?? 30_000,
  };
  const cal = await runMigration({ ...base, guest: { ...g.guest, dirtyMiBps: 0 }, strategy: 'precopy', tuning: {} });
  const h = cal.hops[0];
  const ramBytes = h.metrics.transferredBytes ?? 0;
  const throughput = h.metrics.totalMs ? ramBytes / (h.metrics.totalMs / 1000) : 0;
  log(`calibration: ${mib(ramBytes)} MiB in ${h.metrics.totalMs} ms (${mib(throughput)} MiB/s)`);
  const cells: GridCell[] = [];
  for (const strategy of g.strategies) {
    for (const bw of g.bandwidth) {
      for (const dirty of g.dirty) {
        if (g.signal?.aborted) break;
        const cell = await runCell(g, base, strategy, dirty, bw, {
          ramBytes,
          bandwidth: Math.min(bw * MiB, throughput || Infinity),
        });
        const took = cell.totalMs ? ` in ${cell.totalMs} ms` : '';
        log(
          `${strategy} dirty ${dirty} MiB/s, bandwidth ${bw} MiB/s: ` +
            `${cell.outcome}${took}${cell.diagnosis ? ` — ${cell.diagnosis}` : ''}`,
        );
        cells.push(cell);
      }
    }
  }
  return {
    pair: [g.source.name, g.destination.name],
    calibration: { transferredMiB: mib(ramBytes), throughputMiBps: mib(throughput), totalMs: h.metrics.totalMs ?? 0 },
    cells,
  };
}

async function runCell(
  g: GridRequest,
  base: Omit<Parameters<typeof runMigration>[0], 'guest' | 'strategy' | 'tuning'>,
  strategy: Strategy,
  dirty: number,
  bw: number,
  model: { ramBytes: number; bandwidth: number },
): Promise<GridCell> {
  try {
    const run = await runMigration({
      ...base,
      guest: { ...g.guest, dirtyMiBps: dirty },
      strategy,
      tuning: { maxBandwidth: bw * MiB, downtimeLimitMs: g.downtimeLimitMs },
      model,
    });
    const h = run.hops[0];
    const wall = h.window.to - h.window.from;
    return {
      strategy,
      dirtyMiBps: dirty,
      bandwidthMiBps: bw,
      outcome: h.outcome,
      ...(h.diagnosis && { diagnosis: h.diagnosis }),
      totalMs: h.metrics.totalMs,
      downtimeMs: h.metrics.downtimeMs,
      blackoutMs: h.metrics.blackoutMs,
      passes: h.metrics.passes ?? h.passes.at(-1)?.pass,
      measuredDirtyMiBps: run.dirtyRateMiBps,
      predicted: {
        converges: run.prediction.converges,
        totalMs: run.prediction.totalMs,
        downtimeMs: run.prediction.downtimeMs,
        passes: run.prediction.passes,
      },
      ...(h.predictionError !== undefined && { predictionError: h.predictionError }),
      ...(h.outcome === 'completed' &&
        h.metrics.totalMs && { overheadRatio: Math.round((wall / h.metrics.totalMs) * 1000) / 1000 }),
      ...(h.outcome === 'not-converging' && {
        calledAtPass: h.passes.at(-1)?.pass,
        certainAtPass: h.passes.find((p, i) => p.pass >= 3 && i > 0 && p.remaining >= h.passes[i - 1].remaining)?.pass,
      }),
      nova: h.nova?.predicted.message,
    };
  } catch (err) {
    return {
      strategy,
      dirtyMiBps: dirty,
      bandwidthMiBps: bw,
      outcome: 'error',
      measuredDirtyMiBps: 0,
      error: (err as Error).message,
      predicted: { converges: false, totalMs: null, downtimeMs: 0, passes: 0 },
    };
  }
}

/** The map as a Markdown table. */
export function formatConvergenceMap(m: ConvergenceMap): string {
  const rows = m.cells.map((c) => {
    const predicted = c.predicted.converges
      ? `converges, ${c.predicted.totalMs} ms, ${c.predicted.downtimeMs} ms`
      : 'does not converge';
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
      c.measuredDirtyMiBps,
      predicted,
      error,
      c.diagnosis ?? c.error ?? '',
      c.nova ?? '',
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return [
    `Convergence map ${m.pair[0]} → ${m.pair[1]} (calibration: ${m.calibration.transferredMiB} MiB ` +
      `at ${m.calibration.throughputMiBps} MiB/s)`,
    '',
    '| strategy | dirty MiB/s | bandwidth MiB/s | outcome | total ms | downtime ms | blackout ms | passes | ' +
      'measured dirty | predicted | error | diagnosis | Nova |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
