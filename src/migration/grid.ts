import { messageOf } from '../model/errors.ts';
import type { BuiltImage } from '../vm/images/built-image.ts';
import { certaintyPass, syncsOf } from './grid-stats.ts';
import { NOVA_DEFAULTS, type NovaSettings } from './nova.ts';
import { checkLinkOnce, type LinkRun, linkNow, needsLinkCheck } from './link.ts';
import { runMigration } from './run.ts';
import { MiB } from './sample.ts';
import type { Strategy } from './strategy.ts';
import type { Calibration, CellLink, ConvergenceMap, Endpoint, GridCell, WorkloadGuest } from './types.ts';

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
  /** Idle calibration migrations at the start (default 3; the median link is the map's header). */
  calibrationRuns?: number;
  /**
   * Check the link again right before each cell whose cap is not far below it (link.ts; default true): a single
   * calibration at the start goes stale within minutes on a busy machine.
   */
  linkChecks?: boolean;
  signal?: AbortSignal;
  log?: (m: string) => void;
}

/**
 * The convergence lab: idle migrations with QEMU's cap lifted calibrate the model (non-zero RAM, the link's
 * throughput, QEMU's setup time), then every strategy × dirty rate × bandwidth cell runs — right before it another
 * idle migration checks the link now, unless its cap is far below the link — predicted before it migrates with
 * min(its cap, the link now), with the measurement next to it.
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
  const runs: LinkRun[] = [];
  const calibration = await calibrate(g, base, runs);
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
        const link = await checkLink(g, base, runs, { label: `${strategy} ${dirty}/${bw}`, capMiBps: bw, dirty }, log);
        const cell = await runCell(g, base, strategy, dirty, bw, calibration, link, downtimeLimitMs);
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
    ...(g.linkChecks !== false && { linkChecks: true }),
    cells,
  };
}

type Base = Omit<Parameters<typeof runMigration>[0], 'guest' | 'strategy' | 'tuning'>;

/**
 * The link a cell is predicted with: a check right before it when its cap is not far below the link (link.ts) — with
 * the cell's own workload (a busy check, cancelled after its bulk pass) when it dirties, else idle — then the median
 * of the recent checks at the cell's dirty rate. A check that fails is said in the cell; the older checks stand.
 */
async function checkLink(
  g: GridRequest,
  base: Base,
  runs: LinkRun[],
  cell: { label: string; capMiBps: number; dirty: number },
  log: (m: string) => void,
): Promise<CellLink> {
  const { label, capMiBps, dirty } = cell;
  if (g.linkChecks === false || !needsLinkCheck(capMiBps, runs, Date.now()))
    return linkNow(runs, Date.now(), false, dirty);
  try {
    runs.push({ cal: await checkLinkOnce(g.guest, base, dirty), at: Date.now() });
    const c = runs.at(-1)!.cal;
    log(
      `${dirty ? `busy link check (dirty ${dirty} MiB/s)` : 'link check'} before ${label}: ${c.linkMiBps} MiB/s` +
        `, setup ${c.setupMs} ms${c.stampMiBps !== undefined ? `, stamped ${c.stampMiBps} MiB/s while migrating` : ''}`,
    );
    return linkNow(runs, Date.now(), true, dirty);
  } catch (err) {
    log(`link check before ${label} failed: ${messageOf(err)}`);
    return { ...linkNow(runs, Date.now(), false, dirty), checkError: messageOf(err) };
  }
}

/** Idle migrations with the cap lifted; the median one (by link speed) is the calibration, each run's link kept. */
async function calibrate(g: GridRequest, base: Base, runs: LinkRun[]): Promise<Calibration> {
  const own: Calibration[] = [];
  for (let i = 0; i < Math.max(1, g.calibrationRuns ?? 3); i++) {
    own.push(await checkLinkOnce(g.guest, base));
    runs.push({ cal: own.at(-1)!, at: Date.now() });
  }
  const sorted = [...own].sort((a, b) => a.linkMiBps - b.linkMiBps);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return { ...median, ...(own.length > 1 && { runsMiBps: own.map((r) => r.linkMiBps) }) };
}

async function runCell(
  g: GridRequest,
  base: Base,
  strategy: Strategy,
  dirty: number,
  bw: number,
  cal: Calibration,
  link: CellLink,
  downtimeLimitMs: number,
): Promise<GridCell> {
  const bandwidthMiBps = Math.min(bw, link.MiBps);
  const head = { strategy, dirtyMiBps: dirty, bandwidthMiBps: bw };
  const busy = busyDirty(link, dirty, bw);
  try {
    const run = await runMigration({
      ...base,
      guest: { ...g.guest, dirtyMiBps: dirty },
      strategy,
      tuning: { maxBandwidth: bw * MiB, downtimeLimitMs },
      model: {
        ramBytes: cal.transferredMiB * MiB,
        bandwidth: bandwidthMiBps * MiB,
        setupMs: link.setupMs,
        ...(busy !== undefined && { dirtyRate: busy * MiB }),
      },
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
        dirtyMiBps: run.modelDirtyMiBps,
        dirtyFrom:
          busy !== undefined
            ? 'stamped while the busy check migrated'
            : run.stampMiBps.before !== undefined
              ? 'stamped before migrating'
              : 'calc-dirty-rate',
        ...(p.uncertain && { uncertain: p.uncertain }),
      },
      ...(h.predictionError !== undefined && { predictionError: h.predictionError }),
      link,
      ...(h.called && { called: h.called }),
      ...(h.outcome === 'not-converging' && {
        calledAtPass: h.called?.pass ?? lastPass,
        certainAtPass: certaintyPass(h.samples, {
          dirtyRate: run.dirtyRateMiBps * MiB,
          bandwidth: bandwidthMiBps * MiB,
          downtimeLimitMs,
        }),
      }),
      syncs: syncsOf(h.samples),
      nova: h.nova?.predicted.message,
    };
  } catch (err) {
    return {
      ...head,
      outcome: 'error',
      measuredDirtyMiBps: 0,
      error: messageOf(err),
      link,
      predicted: { converges: false, totalMs: null, downtimeMs: 0, passes: 0, bandwidthMiBps },
    };
  }
}

/**
 * The dirty rate a cell's model takes from its busy link checks (MiB/s): what their workload stamped while migrating,
 * when the link — not the cap — sets the cell's bandwidth (the check then ran as the cell will: the migration thread
 * as busy, competing with the vCPU); never above the rate the workload was told. Pure.
 */
export function busyDirty(link: CellLink, dirty: number, capMiBps: number): number | undefined {
  if (!dirty || link.dirtyMiBps !== dirty || link.stampMiBps === undefined || link.MiBps >= capMiBps) return undefined;
  return Math.min(link.stampMiBps, dirty);
}
