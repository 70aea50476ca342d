import { messageOf } from '../model/errors.ts';
import type { BuiltImage } from '../vm/images/built-image.ts';
import { certaintyPass } from './grid-stats.ts';
import { NOVA_DEFAULTS, type NovaSettings } from './nova.ts';
import { runMigration } from './run.ts';
import { MiB, mib } from './sample.ts';
import type { Strategy } from './strategy.ts';
import type { Calibration, ConvergenceMap, Endpoint, GridCell, WorkloadGuest } from './types.ts';

/**
 * max-bandwidth while calibrating (bytes/s): 1 TiB/s lifts QEMU's default cap (128 MiB/s), so the idle migration
 * measures the link — what the pair moves — and not the cap.
 */
export const UNCAPPED = 2 ** 40;

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
  /** No byte moving for this long is a stall (ms, default 5000). */
  stallMs?: number;
  /** Idle calibration migrations (default 3; the median link is used). */
  calibrationRuns?: number;
  signal?: AbortSignal;
  log?: (m: string) => void;
}

/**
 * The convergence lab: an idle migration with QEMU's cap lifted calibrates the model (non-zero RAM, the link's
 * throughput, QEMU's setup time), then every strategy × dirty rate × bandwidth cell runs, predicted before it
 * migrates with min(its cap, the link), with the measurement next to it.
 */
export async function runGrid(g: GridRequest): Promise<ConvergenceMap> {
  const log = g.log ?? (() => {});
  const downtimeLimitMs = g.downtimeLimitMs ?? 300;
  const deadlineMs = g.deadlineMs ?? 30_000;
  const base = {
    source: g.source,
    destination: g.destination,
    image: g.image,
    signal: g.signal,
    nova: g.nova ?? NOVA_DEFAULTS,
    deadlineMs,
    stallMs: g.stallMs,
  };
  const calibration = await calibrate(g, base);
  log(
    `calibration with QEMU's cap lifted: ${calibration.transferredMiB} MiB in ${calibration.totalMs} ms ` +
      `(setup ${calibration.setupMs} ms): the link gave ${calibration.linkMiBps} MiB/s` +
      `${calibration.runsMiBps ? ` (median of ${calibration.runsMiBps.join(', ')} MiB/s)` : ''}`,
  );
  const cells: GridCell[] = [];
  for (const strategy of g.strategies) {
    for (const bw of g.bandwidth) {
      for (const dirty of g.dirty) {
        if (g.signal?.aborted) break;
        const cell = await runCell(g, base, strategy, dirty, bw, calibration, downtimeLimitMs);
        const took = cell.totalMs !== undefined ? ` in ${cell.totalMs} ms` : '';
        log(
          `${strategy} dirty ${dirty} MiB/s, bandwidth ${bw} MiB/s: ` +
            `${cell.outcome}${took}${cell.diagnosis ? ` — ${cell.diagnosis}` : ''}` +
            `${cell.error ? ` — ${cell.error}` : ''}`,
        );
        cells.push(cell);
      }
    }
  }
  return {
    pair: [g.source.name, g.destination.name],
    accel: g.guest.accel,
    guest: { memoryMiB: g.guest.memoryMiB, wssMiB: g.guest.wssMiB },
    downtimeLimitMs,
    deadlineMs,
    calibration,
    cells,
  };
}

type Base = Omit<Parameters<typeof runMigration>[0], 'guest' | 'strategy' | 'tuning'>;

/** Idle migrations with the cap lifted; the median one (by link speed) is the calibration, each run's link kept. */
async function calibrate(g: GridRequest, base: Base): Promise<Calibration> {
  const runs: Calibration[] = [];
  for (let i = 0; i < Math.max(1, g.calibrationRuns ?? 3); i++) runs.push(await calibrateOnce(g, base));
  const sorted = [...runs].sort((a, b) => a.linkMiBps - b.linkMiBps);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return { ...median, ...(runs.length > 1 && { runsMiBps: runs.map((r) => r.linkMiBps) }) };
}

async function calibrateOnce(g: GridRequest, base: Base): Promise<Calibration> {
  const cal = await runMigration({
    ...base,
    guest: { ...g.guest, dirtyMiBps: 0 },
    strategy: 'precopy',
    tuning: { maxBandwidth: UNCAPPED },
  });
  const h = cal.hops[0]!;
  const total = h.metrics.totalMs;
  if (h.outcome !== 'completed' || total === undefined)
    throw new Error(
      `the calibration migration did not complete with its figures: ${h.outcome}` +
        `${h.diagnosis ? ` (${h.diagnosis})` : ''}${h.figuresNote ? ` (${h.figuresNote})` : ''}`,
    );
  const ramBytes = h.metrics.transferredBytes ?? 0;
  const setupMs = h.metrics.setupMs ?? 0;
  const sending = Math.max(1, total - setupMs);
  return {
    transferredMiB: mib(ramBytes),
    totalMs: total,
    setupMs,
    linkMiBps: mib((ramBytes * 1000) / sending),
    capMiBps: UNCAPPED / MiB,
  };
}

async function runCell(
  g: GridRequest,
  base: Base,
  strategy: Strategy,
  dirty: number,
  bw: number,
  cal: Calibration,
  downtimeLimitMs: number,
): Promise<GridCell> {
  const bandwidthMiBps = Math.min(bw, cal.linkMiBps);
  const head = { strategy, dirtyMiBps: dirty, bandwidthMiBps: bw };
  try {
    const run = await runMigration({
      ...base,
      guest: { ...g.guest, dirtyMiBps: dirty },
      strategy,
      tuning: { maxBandwidth: bw * MiB, downtimeLimitMs },
      model: { ramBytes: cal.transferredMiB * MiB, bandwidth: bandwidthMiBps * MiB, setupMs: cal.setupMs },
    });
    const h = run.hops[0]!;
    const p = run.prediction;
    const lastPass = h.passes.at(-1)?.pass;
    return {
      ...head,
      outcome: h.notReported?.length ? 'error' : h.outcome,
      ...(h.diagnosis && { diagnosis: h.diagnosis }),
      ...(h.figuresNote && { error: `completed, but ${h.figuresNote}` }),
      totalMs: h.metrics.totalMs,
      setupMs: h.metrics.setupMs,
      downtimeMs: h.metrics.downtimeMs,
      blackoutMs: h.metrics.blackoutMs,
      passes: h.metrics.passes ?? lastPass,
      measuredDirtyMiBps: run.dirtyRateMiBps,
      predicted: {
        converges: p.converges,
        totalMs: p.totalMs,
        downtimeMs: p.downtimeMs,
        passes: p.passes,
        bandwidthMiBps,
        ...(p.wouldNeedMs !== undefined && { wouldNeedMs: p.wouldNeedMs }),
        reason: p.reason,
      },
      ...(h.predictionError !== undefined && { predictionError: h.predictionError }),
      ...(h.called && { called: h.called }),
      ...(h.outcome === 'not-converging' && {
        calledAtPass: h.called?.pass ?? lastPass,
        certainAtPass: certaintyPass(h.samples, {
          dirtyRate: run.dirtyRateMiBps * MiB,
          bandwidth: bandwidthMiBps * MiB,
          downtimeLimitMs,
        }),
      }),
      nova: h.nova?.predicted.message,
    };
  } catch (err) {
    return {
      ...head,
      outcome: 'error',
      measuredDirtyMiBps: 0,
      error: messageOf(err),
      predicted: { converges: false, totalMs: null, downtimeMs: 0, passes: 0, bandwidthMiBps },
    };
  }
}
