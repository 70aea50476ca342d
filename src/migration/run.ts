import { launchWorkloadGuest, waitForWorkload } from './guest.ts';
import { LineCollector } from './heartbeat.ts';
import { migrateHop, type MigrationBasics } from './hop.ts';
import { migrateHopLibvirt } from './libvirt/hop.ts';
import { withPoolLibvirtModel } from './libvirt/pool-model.ts';
import { novaDisagreement } from './libvirt/nova-driver.ts';
import { novaDataGb, novaOutcome, type NovaSettings } from './nova.ts';
import { predictPrecopy, relativeError, uncertainty } from './predict.ts';
import { hopPassed } from './report.ts';
import { MiB, mib } from './sample.ts';
import { measureDirtyRate } from './strategy.ts';
import type { Endpoint, GuestHandle, HopReport, Prediction, VerdictCheck } from './types.ts';
import type { RetireOptions } from './retire.ts';
import { settleHop } from './settle.ts';
import { bulkPass, stampRate } from './stamp-rate.ts';

/**
 * Non-zero RAM of the idle tiny guest (kernel, initramfs, page cache: ~75 MiB of a 256 MiB guest measured here), the
 * a-priori model's base; plans can set it.
 */
export const TINY_BASE_MIB = 75;

/**
 * The dirty rate the model is given when the caller knows none better: what the workload itself stamped while
 * calc-dirty-rate measured (its heartbeats count every page: exact), else calc-dirty-rate — never above the rate the
 * workload was told (its own clock paces every write, so it can fall behind but never run ahead). Page-sampling
 * overshoots or undershoots by up to ~10 % (52 MiB/s measured for 50, 96 for 100), and near λ = 1 that swung a
 * prediction by 13 % (50/64: 25.5 s predicted with 52, 22.7 s with 50, 21.9 s measured). Pure.
 */
export function modelDirtyRate(measured: number, workloadMiBps: number, stamped?: number): number {
  return Math.min(stamped ?? measured, workloadMiBps * MiB);
}

export interface MigrationRequest extends MigrationBasics {
  /** Migrate back and forth: 1 = A→B, 2 = A→B→A, … */
  hops?: number;
  deadlineMs?: number;
  stallMs?: number;
  sampleMs?: number;
  /**
   * The model's inputs when known better than the defaults (calibrated on an idle migration): the RAM the bulk pass
   * sends (bytes), the bandwidth (bytes/s: min(max-bandwidth, the link)), QEMU's setup time (ms), the dirty rate
   * (bytes/s: e.g. what the workload stamped while a busy link check migrated it; else modelDirtyRate).
   */
  model?: { ramBytes?: number; bandwidth?: number; setupMs?: number; dirtyRate?: number };
  nova?: NovaSettings;
  /** A probe (link.ts): the first hop is cancelled as soon as QEMU starts this pass. */
  stopAtPass?: number;
  /** Where the guests' heartbeat and integrity lines go (default: a collector of the run's own). */
  collector?: LineCollector;
  /**
   * How long to wait, within the case, for a host that does not answer (a cut link) before its cleanup is left
   * pending (ms, default 60 s). Each cleanup that had to wait is recorded in the hop's `cleanups`.
   */
  cleanupWaitMs?: number;
  /** The runner's deferred cleanup (ctx.defer): a cleanup still pending is tried once more when the case ends. */
  defer?: (cleanup: () => Promise<void>) => void;
  /**
   * Checks of each hop's own, run while it migrates (HopRequest.duringMigration), e.g. that `ps` on either host shows
   * no key of the encrypted data disk. They join the hop's checks.
   */
  duringMigration?: (hop: { from: Endpoint; to: Endpoint }) => Promise<VerdictCheck[]>;
  log?: (m: string) => void;
}

export interface MigrationRun {
  dirtyRateMiBps: number;
  /**
   * What the workload itself stamped (its heartbeats' page counts, MiB/s, stamp-rate.ts): while calc-dirty-rate
   * measured, and on the source while the first hop's bulk pass ran (absent when its heartbeats did not say).
   */
  stampMiBps: { before?: number; bulk?: number };
  /** The dirty rate the prediction was made with (MiB/s). */
  modelDirtyMiBps: number;
  prediction: Prediction;
  hops: HopReport[];
  passed: boolean;
}

/**
 * Boot the workload guest on A, measure its dirty rate and predict, migrate (and back, for ping-pong), check
 * the guest after each hop, and end every VM. Throws only for infrastructure faults before the first hop.
 */
export async function runMigration(req: MigrationRequest): Promise<MigrationRun> {
  const log = req.log ?? (() => {});
  const collector = req.collector ?? new LineCollector();
  const signal = req.signal;
  const libvirt = req.driver === 'libvirt';
  const guest = libvirt ? await withPoolLibvirtModel(req, signal) : req.guest;
  let runner: GuestHandle = await launchWorkloadGuest(
    req.source.transport,
    req.source.name,
    req.image,
    guest,
    collector,
    { signal, driver: req.driver },
  );
  const hops: HopReport[] = [];
  try {
    await waitForWorkload(runner, collector, signal);
    const calcFrom = Date.now();
    const dirtyRate = await measureDirtyRate(runner.vm.qmp, 1, signal, req.guest.memoryMiB);
    const stampMiBps: MigrationRun['stampMiBps'] = {};
    const before = stampRate(collector.heartbeats, runner.label, calcFrom, Date.now());
    if (before !== undefined) stampMiBps.before = mib(before);
    const bandwidth = req.model?.bandwidth ?? req.tuning.maxBandwidth ?? 128 * MiB;
    const stamped = stampMiBps.before !== undefined ? stampMiBps.before * MiB : undefined;
    const input = {
      ramBytes: req.model?.ramBytes ?? (req.guest.wssMiB + TINY_BASE_MIB) * MiB,
      bandwidth,
      dirtyRate: req.model?.dirtyRate ?? modelDirtyRate(dirtyRate, req.guest.dirtyMiBps, stamped),
      workingSet: req.guest.wssMiB * MiB,
      downtimeLimitMs: req.tuning.downtimeLimitMs ?? 300,
      setupMs: req.model?.setupMs,
      deadlineMs: req.deadlineMs ?? 60_000,
    };
    const nominal = predictPrecopy(input);
    const linkBound = bandwidth < (req.tuning.maxBandwidth ?? 128 * MiB);
    const uncertain = uncertainty(input, nominal, linkBound);
    const prediction: Prediction = { ...nominal, ...(uncertain && { uncertain }) };
    log(
      `dirty rate ${(dirtyRate / MiB).toFixed(1)} MiB/s (calc-dirty-rate), ` +
        `stamped ${stampMiBps.before ?? '?'} MiB/s, ` +
        `the model's ${(input.dirtyRate / MiB).toFixed(1)} MiB/s; prediction: ${prediction.reason}` +
        `${uncertain ? `; ${uncertain}` : ''}`,
    );
    const ends = [req.source, req.destination];
    for (let i = 0; i < (req.hops ?? 1); i++) {
      const [from, to] = i % 2 === 0 ? ends : [ends[1], ends[0]];
      const { report, dst } = await (libvirt ? migrateHopLibvirt : migrateHop)(
        runner,
        {
          source: from,
          destination: to,
          image: req.image,
          guest,
          strategy: req.strategy,
          tuning: req.tuning,
          postcopyAfterPass: req.postcopyAfterPass,
          postcopyBandwidth: req.postcopyBandwidth,
          recovery: req.recovery,
          deadlineMs: req.deadlineMs ?? 60_000,
          stallMs: req.stallMs ?? 5000,
          sampleMs: req.sampleMs ?? 100,
          dirtyRate,
          ...(i === 0 && req.stopAtPass !== undefined && { stopAtPass: req.stopAtPass }),
          fault: i === 0 ? req.fault : undefined,
          nova: req.nova,
          driver: req.driver,
          signal,
          log,
          ...(req.duringMigration && { duringMigration: () => req.duringMigration!({ from, to }) }),
        },
        collector,
      );
      report.metrics.measuredDirtyMiBps = mib(dirtyRate);
      if (i === 0) {
        const pass = bulkPass(report.samples, report.metrics.setupMs);
        const t0 = report.window.from;
        const bulk = pass && stampRate(collector.heartbeats, from.name, t0 + pass.fromMs, t0 + pass.toMs);
        if (bulk !== undefined) stampMiBps.bulk = mib(bulk);
        report.prediction = prediction;
        if (
          prediction.converges &&
          report.outcome === 'completed' &&
          prediction.totalMs !== null &&
          report.metrics.totalMs
        ) {
          report.predictionError = Math.round(relativeError(prediction.totalMs, report.metrics.totalMs) * 1000) / 1000;
        }
      }
      const predicted = novaOutcome(report.passes, novaDataGb(req.guest.memoryMiB), req.nova);
      const executed = report.nova?.executed;
      const disagreement = executed && novaDisagreement(predicted, executed);
      report.nova = { predicted, ...(executed && { executed }), ...(disagreement && { disagreement }) };
      hops.push(report);
      const retire: RetireOptions = { waitMs: req.cleanupWaitMs ?? 60_000, defer: req.defer, signal, log };
      runner = (await settleHop(report, { runner, dst, from, to }, collector, retire)) ?? runner;
      log(
        `${from.name} → ${to.name}: ${report.outcome}${report.diagnosis ? ` (${report.diagnosis})` : ''};` +
          ` ${report.checks.map((c) => `${c.ok ? 'ok' : 'FAIL'} ${c.name}`).join(', ')}`,
      );
      if (report.outcome !== 'completed') break;
    }
    return {
      dirtyRateMiBps: mib(dirtyRate),
      stampMiBps,
      modelDirtyMiBps: mib(input.dirtyRate),
      prediction,
      hops,
      passed: hops.length === (req.hops ?? 1) && hops.every(hopPassed),
    };
  } finally {
    await runner.vm.teardown().catch(() => {});
  }
}
