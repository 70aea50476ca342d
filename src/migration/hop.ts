import { messageOf } from '../model/errors.ts';
import type { BuiltImage } from '../vm/images/built-image.ts';
import { ConvergenceDetector, type DetectorOptions } from './detect.ts';
import { notReportedNote } from './final-figures.ts';
import { followMigration } from './follow.ts';
import { launchWorkloadGuest } from './guest.ts';
import { onFreePort } from './incoming.ts';
import type { LineCollector } from './heartbeat.ts';
import { reconnectQmp } from './reattach.ts';
import { recoverPostcopy, type RecoveryOptions } from './recover.ts';
import { hopEvents, passesOf, strategyMetrics } from './sample.ts';
import { applySettings, strategySettings, type Strategy, type Tuning } from './strategy.ts';
import type {
  Endpoint,
  Fault,
  GuestHandle,
  HopOutcome,
  HopReport,
  RecoveryRecord,
  VerdictCheck,
  WorkloadGuest,
} from './types.ts';
import type { NovaSettings } from './nova.ts';
import type { VmDriver } from '../vm/vm.ts';

export { pausedByQemu } from './follow.ts';

/** What every migration is given: the two ends, the guest and how to migrate it. */
export interface MigrationBasics {
  source: Endpoint;
  destination: Endpoint;
  image: BuiltImage;
  guest: WorkloadGuest;
  strategy: Strategy;
  tuning: Tuning;
  /** Post-copy: switch after this many dirty syncs (default 2: right after the bulk pass). */
  postcopyAfterPass?: number;
  /** max-postcopy-bandwidth on the source (bytes/s; QEMU's default 0 = unlimited). */
  postcopyBandwidth?: number;
  /** Bounds of the post-copy recovery after a link fault past the switchover. */
  recovery?: RecoveryOptions;
  fault?: Fault;
  signal?: AbortSignal;
  /** Who runs the guests: hwqual's QEMU (this file) or libvirt (libvirt/hop.ts, driven as Nova drives it). */
  driver?: VmDriver;
}

export interface HopRequest extends MigrationBasics {
  /** Nova's settings: predicted on both paths, executed on the libvirt path. */
  nova?: NovaSettings;
  deadlineMs: number;
  stallMs: number;
  sampleMs: number;
  /** The guest's dirty rate measured before migrating (calc-dirty-rate, bytes/s): the detector's `dirty-set` rule. */
  dirtyRate?: number;
  /** A probe, not a migration to complete: cancelled as soon as QEMU starts this pass (outcome `cancelled`). */
  stopAtPass?: number;
  log: (m: string) => void;
  /**
   * Checks of the hop's own run while the migration runs (e.g. `ps` on both hosts: no key of the encrypted disk on
   * any command line): started right after `migrate` is sent, beside the sampling; they join the hop's checks, each
   * detail saying whether the migration was still running when they ended (both QEMUs run until the hop returns).
   */
  duringMigration?: () => Promise<VerdictCheck[]>;
}

/**
 * The detector of a hop: the deadline, the stall, and the pass rules that are certain for its strategy — the
 * guest's measured dirty rate counts where every dirty page is sent whole at the guest's own pace (pre-copy,
 * multifd), the dirty set's shrinking also under auto-converge (at its maximum throttle). Pure.
 */
export function detectorOptions(
  req: Pick<HopRequest, 'strategy' | 'tuning' | 'deadlineMs' | 'stallMs' | 'dirtyRate'>,
): DetectorOptions {
  const whole = req.strategy === 'precopy' || req.strategy === 'multifd';
  return {
    downtimeLimitMs: req.tuning.downtimeLimitMs ?? 300,
    maxBandwidth: req.tuning.maxBandwidth,
    deadlineMs: req.deadlineMs,
    stallMs: req.stallMs,
    ...(req.strategy === 'auto-converge' && { throttleMax: req.tuning.maxCpuThrottle ?? 99 }),
    ...(whole && req.dirtyRate !== undefined && { dirtyRate: req.dirtyRate }),
    ...((whole || req.strategy === 'auto-converge') && { shrinkRule: true }),
  };
}

/**
 * One migration of a running workload guest: destination started on B (`-incoming tcp:<B>:<port>`), settings on
 * both sides read back, `migrate`, query-migrate every `sampleMs`, post-copy switch, fault injection, and the
 * non-convergence/stall detector (then `migrate_cancel`). Returns the raw hop and the destination handle.
 */
export async function migrateHop(
  src: GuestHandle,
  req: HopRequest,
  collector: LineCollector,
): Promise<{ report: HopReport; dst?: GuestHandle }> {
  const { source: A, destination: B, signal, log } = req;
  const settings = strategySettings(req.strategy, req.tuning);
  const { dst, uri } = await startDestination(req, collector);
  if (req.strategy === 'postcopy' && req.postcopyBandwidth !== undefined)
    settings.source.parameters['max-postcopy-bandwidth'] = Math.round(req.postcopyBandwidth);
  let cap: number | undefined;
  try {
    if (req.strategy === 'postcopy') await reconnectQmp(dst, B, signal); // OOB, for a recovery if the link fails
    const applied = await applySettings(src.vm.qmp, settings.source, `${A.name} (source)`, signal);
    await applySettings(dst.vm.qmp, settings.destination, `${B.name} (destination)`, signal);
    // The cap in force, QEMU's default (128 MiB/s) when the plan sets none: the most the link is given.
    const readBack = Number(applied.parameters['max-bandwidth']);
    cap = Number.isFinite(readBack) && readBack > 0 ? readBack : undefined;
  } catch (err) {
    await dst.vm.teardown().catch(() => {});
    throw err;
  }
  const detector = new ConvergenceDetector(
    detectorOptions({ ...req, tuning: { ...req.tuning, maxBandwidth: req.tuning.maxBandwidth ?? cap } }),
  );
  const eventsFrom = src.vm.qmp.events.length;
  let postcopyAt: number | undefined;
  let fault: string | undefined;
  const t0 = Date.now();
  log(`migrate ${A.name} → ${B.name} (${uri}), strategy ${req.strategy}`);
  await src.vm.qmp.migrate(uri, { signal });
  const during = req.duringMigration && checksBeside(req.duringMigration);
  const followed = await followMigration({
    qmp: src.vm.qmp,
    detector,
    t0,
    sampleMs: req.sampleMs,
    signal,
    log,
    stopAtPass: req.stopAtPass,
    async onSample(s, now) {
      if (
        req.strategy === 'postcopy' &&
        postcopyAt === undefined &&
        s.status === 'active' &&
        s.syncCount >= (req.postcopyAfterPass ?? 2)
      ) {
        postcopyAt = now;
        log(`pass ${s.syncCount}: migrate-start-postcopy`);
        await src.vm.qmp.migrateStartPostcopy({ signal });
      }
      if (req.fault && fault === undefined && faultDue(req.fault, s.status, now, postcopyAt))
        fault = await injectFault(req.fault, dst, B, now, log);
    },
    // Past the switchover the guest cannot go back to A: pause, wait for the link, resume (QEMU's recovery).
    recover: (now, samples) =>
      recoverPostcopy(
        {
          src,
          dst,
          source: A,
          destination: B,
          collector,
          t0,
          samples,
          sampleMs: req.sampleMs,
          signal,
          log,
          ...req.recovery,
        },
        now,
      ),
  });
  const { info, samples, diagnosis, recovery, figures, endedAt } = followed;
  const outcome: HopOutcome = recovery
    ? recovery.outcome === 'lost'
      ? 'lost'
      : 'completed'
    : diagnosis
      ? diagnosis.kind === 'stalled'
        ? 'stalled'
        : 'not-converging'
      : (info.status as HopOutcome);
  const why = recovery
    ? recovery.outcome === 'lost'
      ? `post-copy recovery failed: ${recovery.detail}`
      : undefined
    : diagnosis && `${diagnosis.message}${fault ? `, after the fault: ${fault}` : ''}`;
  const missing = outcome === 'completed' ? figures.notReported : [];
  const given = (name: string, v: number | undefined) => (missing.includes(name) ? undefined : v);
  const events = hopEvents(src.vm.qmp.events.slice(eventsFrom), t0);
  const report: HopReport = {
    from: A.name,
    to: B.name,
    strategy: req.strategy,
    outcome,
    ...(why && { diagnosis: why }),
    ...(info['error-desc'] && !why && { diagnosis: `QEMU: ${info['error-desc']}` }),
    guestOn: outcome === 'completed' ? B.name : outcome === 'lost' ? 'none' : A.name,
    uri,
    settings,
    metrics: {
      totalMs: given('total-time', info['total-time']),
      setupMs: info['setup-time'],
      downtimeMs: given('downtime', info.downtime),
      transferredBytes: info.ram?.transferred,
      passes: info.ram?.['dirty-sync-count'],
      throttlePct: Math.max(0, ...samples.map((x) => x.throttlePct ?? 0)),
      postcopyRequests: info.ram?.['postcopy-requests'],
      ...strategyMetrics(info),
      ...(recovery && recoveryMetrics(recovery)),
    },
    samples,
    passes: passesOf(samples),
    events,
    checks: [],
    cleanupPending: [],
    window: { from: t0, to: Date.now() },
    ...(fault && { fault }),
    ...(recovery && { recovery }),
    ...(figures.requeried && { figuresRequeried: figures.requeried }),
    ...(missing.length && { notReported: missing, figuresNote: notReportedNote(figures) }),
    ...(diagnosis?.kind === 'not-converging' &&
      diagnosis.rule && { called: { rule: diagnosis.rule, pass: diagnosis.certainAtPass, atMs: diagnosis.atMs ?? 0 } }),
  };
  if (during) {
    const d = await during;
    const when =
      endedAt && d.at > endedAt
        ? `ended ${d.at - t0} ms after migrate, ${d.at - endedAt} ms after the migration (both QEMUs still up)`
        : `ended ${d.at - t0} ms after migrate, while the migration ran`;
    report.checks.push(...d.checks.map((c) => ({ ...c, detail: `${c.detail} (${when})` })));
  }
  if (recovery && recovery.outcome !== 'not-needed')
    report.checks.push({
      name: 'post-copy recovery',
      ok: recovery.outcome === 'recovered',
      detail: `${recovery.outcome}: ${recovery.detail}`,
    });
  return { report, dst };
}

/** Run `checks` beside the hop; a throw is a failing check, never a rejection left unhandled. */
function checksBeside(checks: () => Promise<VerdictCheck[]>): Promise<{ checks: VerdictCheck[]; at: number }> {
  return checks().then(
    (c) => ({ checks: c, at: Date.now() }),
    (err: unknown) => ({
      checks: [{ name: 'checks during the migration', ok: false, detail: messageOf(err) }],
      at: Date.now(),
    }),
  );
}

/** Whether the fault is due now: `afterMs` after `migrate`, or after the switchover once post-copy is active. Pure. */
export function faultDue(f: Fault, status: string, nowMs: number, postcopyAt: number | undefined): boolean {
  if (f.after === 'postcopy')
    return postcopyAt !== undefined && status === 'postcopy-active' && nowMs - postcopyAt >= f.afterMs;
  return nowMs >= f.afterMs;
}

/** The recovery's timeline as metrics (ms): paused → resumed, paused → completed, and 1/0 for recovered. Pure. */
export function recoveryMetrics(r: RecoveryRecord): Record<string, number> {
  const out: Record<string, number> = { recovered: r.outcome === 'lost' ? 0 : 1 };
  if (r.pausedAt !== undefined && r.resumedAt !== undefined) out.pausedMs = r.resumedAt - r.pausedAt;
  if (r.pausedAt !== undefined && r.recoveredAt !== undefined) out.recoveryMs = r.recoveredAt - r.pausedAt;
  if (r.pausedAt !== undefined && r.linkBackAt !== undefined) out.linkWaitMs = Math.max(0, r.linkBackAt - r.pausedAt);
  return out;
}

async function startDestination(req: HopRequest, collector: LineCollector): Promise<{ dst: GuestHandle; uri: string }> {
  const B = req.destination;
  const { started, uri } = await onFreePort(B.address, (incoming) =>
    launchWorkloadGuest(B.transport, B.name, req.image, req.guest, collector, { incoming, signal: req.signal }),
  );
  return { dst: started, uri };
}

export async function injectFault(
  f: Fault,
  dst: Pick<GuestHandle, 'vm'>,
  B: Endpoint,
  nowMs: number,
  log: (m: string) => void,
): Promise<string> {
  const afterSwitchover = f.after === 'postcopy' ? ` (${f.afterMs} ms after the post-copy switchover)` : '';
  if (f.kind === 'kill-destination') {
    const pid = dst.vm.pid;
    log(`fault: SIGKILL destination QEMU (pid ${pid}) on ${B.name}`);
    await B.transport.exec(`kill -KILL ${pid}`, { timeoutMs: 10_000 });
    return `destination QEMU on ${B.name} killed at ${nowMs} ms${afterSwitchover}`;
  }
  log(`fault: link of ${B.name} down for ${f.downForMs} ms`);
  await f.setLink('down');
  setTimeout(() => {
    f.setLink('up').catch(() => {});
  }, f.downForMs).unref();
  return `link of ${B.name} down at ${nowMs} ms${afterSwitchover} for ${f.downForMs} ms`;
}
