import { HwqualError, messageOf } from '../model/errors.ts';
import type { BuiltImage } from '../vm/images/built-image.ts';
import type { QmpMigrationInfo } from '../model/qmp.ts';
import { poll } from '../util/poll.ts';
import { sleep } from '../util/wait.ts';
import { ConvergenceDetector } from './detect.ts';
import { launchWorkloadGuest } from './guest.ts';
import { onFreePort } from './incoming.ts';
import type { LineCollector } from './heartbeat.ts';
import { reconnectQmp } from './reattach.ts';
import { recoverPostcopy, type RecoveryOptions } from './recover.ts';
import { hopEvents, passesOf, strategyMetrics, toSample } from './sample.ts';
import { applySettings, strategySettings, type Strategy, type Tuning } from './strategy.ts';
import type {
  Diagnosis,
  Endpoint,
  Fault,
  GuestHandle,
  HopOutcome,
  HopReport,
  MigrationSample,
  RecoveryRecord,
  VerdictCheck,
  WorkloadGuest,
} from './types.ts';
import type { NovaSettings } from './nova.ts';
import type { VmDriver } from '../vm/vm.ts';

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
  log: (m: string) => void;
  /**
   * Checks of the hop's own run while the migration runs (e.g. `ps` on both hosts: no key of the encrypted disk on
   * any command line): started right after `migrate` is sent, beside the sampling; they join the hop's checks, each
   * detail saying whether the migration was still running when they ended (both QEMUs run until the hop returns).
   */
  duringMigration?: () => Promise<VerdictCheck[]>;
}

const FINAL = new Set(['completed', 'failed', 'cancelled']);

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
  try {
    if (req.strategy === 'postcopy') await reconnectQmp(dst, B, signal); // OOB, for a recovery if the link fails
    await applySettings(src.vm.qmp, settings.source, `${A.name} (source)`, signal);
    await applySettings(dst.vm.qmp, settings.destination, `${B.name} (destination)`, signal);
  } catch (err) {
    await dst.vm.teardown().catch(() => {});
    throw err;
  }
  const detector = new ConvergenceDetector({
    downtimeLimitMs: req.tuning.downtimeLimitMs ?? 300,
    maxBandwidth: req.tuning.maxBandwidth,
    deadlineMs: req.deadlineMs,
    stallMs: req.stallMs,
    ...(req.strategy === 'auto-converge' && { throttleMax: req.tuning.maxCpuThrottle ?? 99 }),
  });
  const eventsFrom = src.vm.qmp.events.length;
  const samples: MigrationSample[] = [];
  let diagnosis: Diagnosis | undefined;
  let postcopyAt: number | undefined;
  let fault: string | undefined;
  let recovery: RecoveryRecord | undefined;
  let info: QmpMigrationInfo = {};
  const t0 = Date.now();
  log(`migrate ${A.name} → ${B.name} (${uri}), strategy ${req.strategy}`);
  await src.vm.qmp.migrate(uri, { signal });
  const during = req.duringMigration && checksBeside(req.duringMigration);
  let endedAt = 0;
  for (;;) {
    const now = Date.now() - t0;
    info = await src.vm.qmp.queryMigrate({ signal, timeoutMs: 10_000 });
    const s = toSample(info, now);
    samples.push(s);
    if (FINAL.has(s.status)) {
      endedAt = Date.now();
      break;
    }
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
    diagnosis ??= detector.observe(s) ?? pausedByQemu(s.status, info);
    if (diagnosis) {
      log(diagnosis.message);
      if (s.status === 'postcopy-active' || s.status === 'postcopy-paused') {
        // Past the switchover the guest cannot go back to A: pause, wait for the link, resume (QEMU's recovery).
        ({ record: recovery, info } = await recoverPostcopy(
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
        ));
        break;
      }
      await cancel(src, signal);
      info = await src.vm.qmp.queryMigrate({ signal });
      samples.push(toSample(info, Date.now() - t0));
      break;
    }
    await sleep(Math.max(0, req.sampleMs - (Date.now() - t0 - now)), signal);
  }
  // QEMU 7.2 sets `completed` (migration_completion) before it computes total-time and downtime
  // (migration_calculate_complete): a query in between reads 0 for both — 2 of 6 idle migrations on the lab. Ask again.
  for (let i = 0; i < 40 && info.status === 'completed' && !info['total-time']; i++) {
    await sleep(25, signal);
    info = await src.vm.qmp.queryMigrate({ signal, timeoutMs: 10_000 });
  }
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
      totalMs: info['total-time'],
      setupMs: info['setup-time'],
      downtimeMs: info.downtime,
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

/** QEMU paused a post-copy migration by itself (its channel failed): no bytes will move until it is recovered. Pure. */
export function pausedByQemu(status: string, info: QmpMigrationInfo): Diagnosis | undefined {
  if (status !== 'postcopy-paused') return undefined;
  return {
    kind: 'stalled',
    message:
      'stalled: QEMU paused the post-copy migration itself ' +
      `(its channel failed${info['error-desc'] ? `: ${info['error-desc']}` : ''})`,
  };
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

async function cancel(src: GuestHandle, signal?: AbortSignal): Promise<void> {
  await src.vm.qmp.migrateCancel({ signal });
  let s = 'none';
  const ended = async () => {
    s = (await src.vm.qmp.queryMigrate({ signal })).status ?? 'none';
    return FINAL.has(s) || undefined;
  };
  if (!(await poll(ended, { timeoutMs: 30_000, signal })))
    throw new HwqualError('E_VM', `migrate_cancel: still ${s} after 30 s`, { host: src.vm.host });
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
