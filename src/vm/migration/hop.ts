import { HwqualError, messageOf } from '../../model/errors.ts';
import type { Transport } from '../../transport/types.ts';
import type { BuiltImage } from '../images/built-image.ts';
import type { QmpMigrationInfo } from '../qmp-types.ts';
import { sleep } from '../wait.ts';
import { ConvergenceDetector } from './detect.ts';
import { launchWorkloadGuest, type GuestHandle, type WorkloadGuest } from './guest.ts';
import type { LineCollector } from './heartbeat.ts';
import type { HopOutcome, HopReport } from './report.ts';
import { passesOf, strategyMetrics, toSample } from './sample.ts';
import { applySettings, strategySettings, type Strategy, type Tuning } from './strategy.ts';
import type { Diagnosis, MigrationSample } from './types.ts';

export interface Endpoint { name: string; transport: Transport; address: string }

export type Fault =
  | { kind: 'kill-destination'; afterMs: number }
  | { kind: 'link-down'; afterMs: number; setLink: (state: 'up' | 'down') => Promise<void>; downForMs: number };

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
  fault?: Fault;
  signal?: AbortSignal;
}

export interface HopRequest extends MigrationBasics {
  deadlineMs: number;
  stallMs: number;
  sampleMs: number;
  log: (m: string) => void;
}

const FINAL = new Set(['completed', 'failed', 'cancelled']);

/**
 * One migration of a running workload guest: destination started on B (`-incoming tcp:<B>:<port>`), settings on
 * both sides read back, `migrate`, query-migrate every `sampleMs`, post-copy switch, fault injection, and the
 * non-convergence/stall detector (then `migrate_cancel`). Returns the raw hop and the destination handle.
 */
export async function migrateHop(src: GuestHandle, req: HopRequest, collector: LineCollector): Promise<{ report: HopReport; dst?: GuestHandle }> {
  const { source: A, destination: B, signal, log } = req;
  const settings = strategySettings(req.strategy, req.tuning);
  const { dst, uri } = await startDestination(req, collector);
  try {
    await applySettings(src.vm.qmp, settings.source, `${A.name} (source)`, signal);
    await applySettings(dst.vm.qmp, settings.destination, `${B.name} (destination)`, signal);
  } catch (err) {
    await dst.vm.teardown().catch(() => {});
    throw err;
  }
  const detector = new ConvergenceDetector({
    downtimeLimitMs: req.tuning.downtimeLimitMs ?? 300, maxBandwidth: req.tuning.maxBandwidth, deadlineMs: req.deadlineMs, stallMs: req.stallMs,
  });
  const eventsFrom = src.vm.qmp.events.length;
  const samples: MigrationSample[] = [];
  let diagnosis: Diagnosis | undefined;
  let postcopyAt: number | undefined;
  let fault: string | undefined;
  let info: QmpMigrationInfo = {};
  const t0 = Date.now();
  log(`migrate ${A.name} → ${B.name} (${uri}), strategy ${req.strategy}`);
  await src.vm.qmp.migrate(uri, { signal });
  for (;;) {
    const now = Date.now() - t0;
    info = await src.vm.qmp.queryMigrate({ signal, timeoutMs: 10_000 });
    const s = toSample(info, now);
    samples.push(s);
    if (FINAL.has(s.status)) break;
    if (req.strategy === 'postcopy' && postcopyAt === undefined && s.status === 'active' && s.syncCount >= (req.postcopyAfterPass ?? 2)) {
      postcopyAt = now;
      log(`pass ${s.syncCount}: migrate-start-postcopy`);
      await src.vm.qmp.migrateStartPostcopy({ signal });
    }
    if (req.fault && fault === undefined && now >= req.fault.afterMs) fault = await injectFault(req.fault, dst, B, log);
    diagnosis ??= detector.observe(s);
    if (diagnosis) {
      log(diagnosis.message);
      await cancel(src, signal);
      info = await src.vm.qmp.queryMigrate({ signal });
      samples.push(toSample(info, Date.now() - t0));
      break;
    }
    await sleep(Math.max(0, req.sampleMs - (Date.now() - t0 - now)), signal);
  }
  const outcome: HopOutcome = diagnosis ? (diagnosis.kind === 'stalled' ? 'stalled' : 'not-converging') : (info.status as HopOutcome);
  const events = src.vm.qmp.events.slice(eventsFrom).map((e) => ({
    t: Math.round(e.timestamp.seconds * 1000 + e.timestamp.microseconds / 1000 - t0), event: e.event, ...(e.data && { data: e.data }),
  }));
  const report: HopReport = {
    from: A.name, to: B.name, strategy: req.strategy, outcome, ...(diagnosis && { diagnosis: diagnosis.message }),
    ...(info['error-desc'] && !diagnosis && { diagnosis: `QEMU: ${info['error-desc']}` }),
    guestOn: outcome === 'completed' ? B.name : A.name, uri, settings,
    metrics: {
      totalMs: info['total-time'], setupMs: info['setup-time'], downtimeMs: info.downtime, transferredBytes: info.ram?.transferred,
      passes: info.ram?.['dirty-sync-count'], throttlePct: Math.max(0, ...samples.map((x) => x.throttlePct ?? 0)),
      postcopyRequests: info.ram?.['postcopy-requests'], ...strategyMetrics(info),
    },
    samples, passes: passesOf(samples), events, checks: [], cleanupPending: [], window: { from: t0, to: Date.now() },
    ...(fault && { fault }),
  };
  return { report, dst };
}

async function startDestination(req: HopRequest, collector: LineCollector): Promise<{ dst: GuestHandle; uri: string }> {
  const B = req.destination;
  let last: unknown;
  for (let i = 0; i < 4; i++) {
    const port = 49152 + Math.floor(Math.random() * 12000);
    try {
      const dst = await launchWorkloadGuest(B.transport, B.name, req.image, req.guest, collector, { incoming: `tcp:${B.address}:${port}`, signal: req.signal });
      return { dst, uri: `tcp:${B.address}:${port}` };
    } catch (err) {
      last = err;
      if (!/Address already in use|Failed to bind/i.test(messageOf(err))) throw err;
    }
  }
  throw last;
}

async function cancel(src: GuestHandle, signal?: AbortSignal): Promise<void> {
  await src.vm.qmp.migrateCancel({ signal });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = (await src.vm.qmp.queryMigrate({ signal })).status ?? 'none';
    if (s === 'cancelled' || s === 'failed' || s === 'completed') return;
    if (Date.now() > deadline) throw new HwqualError('E_VM', `migrate_cancel: still ${s} after 30 s`, { host: src.vm.host });
    await sleep(100, signal);
  }
}

async function injectFault(f: Fault, dst: GuestHandle, B: Endpoint, log: (m: string) => void): Promise<string> {
  if (f.kind === 'kill-destination') {
    const pid = dst.vm.pid;
    log(`fault: SIGKILL destination QEMU (pid ${pid}) on ${B.name}`);
    await B.transport.exec(`kill -KILL ${pid}`, { timeoutMs: 10_000 });
    return `destination QEMU on ${B.name} killed at ${f.afterMs} ms`;
  }
  log(`fault: link of ${B.name} down for ${f.downForMs} ms`);
  await f.setLink('down');
  setTimeout(() => { f.setLink('up').catch(() => {}); }, f.downForMs).unref();
  return `link of ${B.name} down at ${f.afterMs} ms for ${f.downForMs} ms`;
}
