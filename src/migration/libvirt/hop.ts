import { dirname } from 'node:path';
import { HwqualError } from '../../model/errors.ts';
import { stageImage } from '../../vm/images/stage.ts';
import { adoptLibvirtDomain, type LibvirtVm } from '../../vm/libvirt/libvirt-vm.ts';
import { virshWords } from '../../vm/libvirt/virsh.ts';
import { shellQuote } from '../../vm/shell.ts';
import { ownedDirCommand, vmWorkDir } from '../../vm/work-dirs.ts';
import { sleep } from '../../util/wait.ts';
import { ConvergenceDetector } from '../detect.ts';
import type {
  Diagnosis,
  Endpoint,
  GuestHandle,
  HopOutcome,
  HopReport,
  LibvirtHopRecord,
  MigrationSample,
} from '../types.ts';
import { HeartbeatStream } from '../hb-stream.ts';
import type { LineCollector } from '../heartbeat.ts';
import type { HopRequest } from '../hop.ts';
import { novaDataGb, NOVA_DEFAULTS } from '../nova.ts';
import { hopEvents, passesOf } from '../sample.ts';
import { libvirtMigrateCommand } from './flags.ts';
import { jobMetrics, jobSample, JOB_TYPE, parseJobInfo, type JobInfo } from './jobinfo.ts';
import { NovaMonitor, type NovaAction } from './nova-driver.ts';
import { injectLibvirtFault } from './fault.ts';

/** Nova's monitor loop sleeps 0.5 s between job readings (driver.py _live_migration_monitor). */
export const NOVA_POLL_MS = 500;
/** How often the job is looked for before libvirt has started it. */
const JOB_START_POLL_MS = 100;

/**
 * One live migration of a running workload guest the way Nova makes it: `virsh migrate --live --p2p --persistent
 * --undefinesource … --migrateuri tcp://<B> --xml <B's domain XML>` on the source (flags.ts), `virsh domjobinfo`
 * every 0.5 s into the same MigrationSample and ConvergenceDetector as the raw QEMU path, Nova's downtime steps and
 * completion timeout executed (nova-driver.ts), post-copy switched with `virsh migrate-postcopy`, faults injected.
 * The destination's XML is the source's migratable XML with its own work dir (console, heartbeat and agent sockets),
 * as startDestination() gives raw QEMU its own. Returns the raw hop and the destination handle.
 */
export async function migrateHopLibvirt(
  src: GuestHandle,
  req: HopRequest,
  collector: LineCollector,
): Promise<{ report: HopReport; dst?: GuestHandle }> {
  const { destination: B, signal } = req;
  const vm = src.vm as LibvirtVm;
  if (vm.driver !== 'libvirt')
    throw new HwqualError('E_INTERNAL', 'migrateHopLibvirt: the source is not a libvirt domain');
  const dstWorkDir = vmWorkDir(B.transport, `mig-${B.name}`);
  const live = await vm.virsh.run(['dumpxml', '--migratable', vm.domain], { signal });
  const swap = (s: string) => s.split(vm.paths.workDir).join(dstWorkDir);
  // From here on B may hold something of this hop (its work dir, an incoming domain): any failure ends it.
  const dstVm = adoptLibvirtDomain(
    B.transport,
    JSON.parse(swap(JSON.stringify(vm.spec))),
    dstWorkDir,
    vm.domain,
    { ...vm.xml, xml: swap(live) },
    signal,
  );
  try {
    await run(B, `${ownedDirCommand(dirname(dstWorkDir))} && mkdir -m 700 ${shellQuote(dstWorkDir)}`, signal);
    await stageImage(B.transport, req.image, signal); // the kernel and initrd at the same path on B
    return await drive(src, dstVm, req, collector);
  } catch (err) {
    await dstVm.teardown().catch(() => {});
    throw err;
  }
}

/** The migration itself, once B is ready: the command, the sampling loop with Nova's monitor, the hop's report. */
async function drive(
  src: GuestHandle,
  dstVm: LibvirtVm,
  req: HopRequest,
  collector: LineCollector,
): Promise<{ report: HopReport; dst?: GuestHandle }> {
  const { source: A, destination: B, signal, log } = req;
  const vm = src.vm as LibvirtVm;
  const domain = vm.domain;
  const nova = req.nova ?? NOVA_DEFAULTS;
  const live = dstVm.xml.xml;
  const xmlFile = `${vm.paths.workDir}/to-${B.name}.xml`;
  await A.transport.writeFile(xmlFile, live, { signal, timeoutMs: 15_000 });
  const cmd = libvirtMigrateCommand({
    domain,
    destinationAddress: B.address,
    strategy: req.strategy,
    tuning: req.tuning,
    nova,
    postcopyBandwidth: req.postcopyBandwidth,
  });
  const record: LibvirtHopRecord = {
    domain,
    command: ['virsh', ...cmd.args, '--xml', xmlFile],
    novaFlags: cmd.novaFlags,
    strategyFlags: cmd.strategyFlags,
    uri: cmd.uri,
    migrateUri: cmd.migrateUri,
    cpuModel: { libvirt: /<model[^>]*>([^<]+)</.exec(live)?.[1] ?? '?' },
    machine: /machine='([^']+)'/.exec(live)?.[1],
    exit: null,
    memory: vm.memory,
  };
  const detector = new ConvergenceDetector({
    // Nova raises the limit step by step to live_migration_downtime: the rules compare with where it ends.
    downtimeLimitMs: nova.downtimeMs,
    maxBandwidth: req.tuning.maxBandwidth,
    deadlineMs: Number.POSITIVE_INFINITY, // hwqual's own deadline is applied below, after Nova's chance
    stallMs: req.stallMs,
    ...(req.strategy === 'auto-converge' && { throttleMax: 99 }),
  });
  const monitor = new NovaMonitor(nova, novaDataGb(req.guest.memoryMiB), cmd.postcopy);
  const eventsFrom = vm.qmp.events.length;
  const samples: MigrationSample[] = [];
  let diagnosis: Diagnosis | undefined;
  let abortedBy: 'nova' | 'stall' | 'deadline' | undefined;
  let postcopyAt: number | undefined;
  let paused = false;
  let fault: string | undefined;
  const t0 = Date.now();
  log(`virsh migrate ${A.name} → ${B.name} (${cmd.uri}, ${[...cmd.novaFlags, ...cmd.strategyFlags].join(' ')})`);
  if (vm.memory.note) log(vm.memory.note);
  let finished = false;
  const migration = vm.virsh
    .exec([...cmd.args, '--xml', xmlFile], { timeoutMs: req.deadlineMs + 300_000, signal })
    .finally(() => {
      finished = true;
    });
  migration.catch(() => {});
  // The destination's heartbeat socket appears when libvirt starts the incoming QEMU: follow it from then on.
  const hbStop = new AbortController();
  const hb = HeartbeatStream.open(B.transport, `${dstVm.paths.workDir}/hb.sock`, B.name, collector, {
    timeoutMs: req.deadlineMs + 60_000,
    signal: signal ? AbortSignal.any([signal, hbStop.signal]) : hbStop.signal,
  });
  hb.catch(() => {});
  const act = async (a: NovaAction, now: number) => {
    const argv =
      a.kind === 'downtime'
        ? ['migrate-setmaxdowntime', domain, '--downtime', String(a.ms)]
        : a.kind === 'abort'
          ? ['domjobabort', domain]
          : a.kind === 'postcopy'
            ? ['migrate-postcopy', domain]
            : ['suspend', domain];
    const r = await vm.virsh.exec(argv, { timeoutMs: 15_000, signal });
    const result = r.exitCode === 0 ? 'ok' : virshWords(r);
    monitor.record(a, now / 1000, `virsh ${argv[0]}: ${result}`);
    log(`Nova at ${(now / 1000).toFixed(1)} s: virsh ${argv.join(' ')} → ${result}`);
    if (a.kind === 'abort' && r.exitCode === 0) abortedBy = 'nova';
    if (a.kind === 'postcopy' && r.exitCode === 0) postcopyAt ??= now;
    if (a.kind === 'pause' && r.exitCode === 0) paused = true;
  };
  let settingsRead: HopReport['settings'] | undefined;
  while (!finished) {
    const now = Date.now() - t0;
    const r = await vm.virsh.exec(['domjobinfo', domain, '--rawstats'], { timeoutMs: 10_000, signal });
    if (r.exitCode !== 0) {
      await Promise.race([migration, sleep(NOVA_POLL_MS, signal)]); // the domain left A: the migration ends
      continue;
    }
    const job: JobInfo = parseJobInfo(r.stdout);
    const s = jobSample(job, now, postcopyAt !== undefined);
    if (job.type !== JOB_TYPE.none) samples.push(s);
    const running = job.type === JOB_TYPE.unbounded;
    if (running && s.status === 'active') {
      settingsRead ??= await readSettings(vm, signal);
      for (const a of monitor.tick(now / 1000, postcopyAt !== undefined)) await act(a, now);
      if (req.strategy === 'postcopy' && postcopyAt === undefined && s.syncCount >= (req.postcopyAfterPass ?? 2))
        await act({ kind: 'postcopy' }, now);
      if (req.fault && fault === undefined && now >= req.fault.afterMs)
        fault = await injectLibvirtFault(req.fault, B, dstVm, now, log);
      const seen = detector.observe(s);
      if (seen && !diagnosis) {
        diagnosis = seen;
        log(`${seen.message}${seen.kind === 'not-converging' ? " (Nova's timeout decides on this path)" : ''}`);
      }
      const stop =
        diagnosis?.kind === 'stalled' ? 'stall' : now >= req.deadlineMs && !abortedBy ? 'deadline' : undefined;
      if (stop && !abortedBy) {
        if (stop === 'deadline')
          diagnosis = {
            kind: 'not-converging',
            certainAtPass: s.syncCount,
            message:
              `does not converge: no completion within hwqual's deadline of ${(req.deadlineMs / 1000).toFixed(1)} s ` +
              `(Nova's completion timeout ${monitor.timeoutSec ?? 'off'} s)`,
          };
        const a = await vm.virsh.exec(['domjobabort', domain], { timeoutMs: 15_000, signal });
        log(`hwqual (${stop}): virsh domjobabort → ${a.exitCode === 0 ? 'ok' : virshWords(a)}`);
        if (a.exitCode === 0) abortedBy = stop;
      }
    }
    // Until libvirt has the job (virsh migrate still preparing B) look again soon, so a migration shorter than one of
    // Nova's rounds is still sampled while active; then Nova's 0.5 s.
    const every = samples.length === 0 && job.type === JOB_TYPE.none ? JOB_START_POLL_MS : NOVA_POLL_MS;
    await Promise.race([migration, sleep(Math.max(0, every - (Date.now() - t0 - now)), signal)]);
  }
  const result = await migration;
  const endMs = Date.now() - t0;
  record.exit = result.exitCode;
  const completed = result.exitCode === 0;
  if (!completed) hbStop.abort(); // no destination guest to hear from (a QEMU that never started: no socket ever)
  if (!completed) record.error = virshWords(result);
  // Nova's "unpause".
  if (!completed && paused) await vm.virsh.exec(['resume', domain], { timeoutMs: 15_000 }).catch(() => {});
  // The finished job's figures: the destination's incoming job, or the source's own when it did not complete.
  const final = completed
    ? await dstVm.virsh.exec(['domjobinfo', domain, '--completed', '--keep-completed', '--rawstats'], {
        timeoutMs: 15_000,
        signal,
      })
    : await vm.virsh.exec(['domjobinfo', domain, '--completed', '--anystats', '--rawstats'], {
        timeoutMs: 15_000,
        signal,
      });
  const parsed = final.exitCode === 0 ? parseJobInfo(final.stdout) : undefined;
  // A job libvirt kept no statistics of (an aborted outgoing one): the last running sample says how far it got.
  const finalJob = parsed && parsed.type !== JOB_TYPE.none ? parsed : undefined;
  const lastRun = [...samples].reverse().find((x) => x.syncCount > 0);
  record.figuresFrom = finalJob
    ? completed
      ? `${B.name}'s incoming job (domjobinfo --completed)`
      : `${A.name}'s outgoing job (domjobinfo --completed --anystats)`
    : 'the last domjobinfo sample and the MIGRATION events (libvirt kept no statistics of the job)';
  // libvirt's own clock of the job (from its start), never before the last running sample.
  const jobEndMs = Math.max(samples.at(-1)?.t ?? 0, finalJob?.fields.time_elapsed ?? endMs);
  if (finalJob) samples.push(jobSample(finalJob, jobEndMs));
  const executed = monitor.finish(completed, jobEndMs / 1000);
  let dst: GuestHandle | undefined;
  const hbDst = await hb.catch(() => undefined);
  if (hbDst) dstVm.addCleanup(async () => hbDst.close());
  if (completed) {
    await dstVm.attach(signal);
    if (!hbDst)
      throw new HwqualError('E_VM', `no heartbeat socket of the migrated guest on ${B.name}`, { host: B.name });
    dst = { vm: dstVm, hb: hbDst, label: B.name };
  } else {
    dst = { vm: dstVm, hb: hbDst ?? emptyHb(B.name), label: B.name };
  }
  const outcome: HopOutcome = completed
    ? 'completed'
    : abortedBy === 'stall'
      ? 'stalled'
      : abortedBy
        ? 'not-converging'
        : 'failed';
  const why = completed
    ? undefined
    : abortedBy === 'nova'
      ? `${executed.message}${diagnosis ? `; hwqual's detector: ${diagnosis.message}` : ''}`
      : abortedBy
        ? `${diagnosis?.message ?? abortedBy}${fault ? `, after the fault: ${fault}` : ''}`
        : `libvirt: ${record.error}${fault ? ` (after the fault: ${fault})` : ''}`;
  const events = hopEvents(vm.qmp.events.slice(eventsFrom), t0);
  // Without the job's own figures: its end from QEMU's MIGRATION event when libvirt passed it on, else the last sample.
  const doneAt = events.find((e) => e.event === 'MIGRATION' && e.data?.status === 'completed')?.t;
  const metrics = finalJob
    ? jobMetrics(finalJob)
    : lastRun
      ? { totalMs: doneAt ?? lastRun.t, transferredBytes: lastRun.transferred, passes: lastRun.syncCount }
      : {};
  const report: HopReport = {
    from: A.name,
    to: B.name,
    strategy: req.strategy,
    outcome,
    ...(why && { diagnosis: why }),
    guestOn: completed ? B.name : A.name,
    uri: cmd.uri,
    settings: settingsRead ?? {
      source: { capabilities: {}, parameters: {} },
      destination: { capabilities: {}, parameters: {} },
    },
    metrics: {
      ...metrics,
      throttlePct: Math.max(0, ...samples.map((x) => x.throttlePct ?? 0)),
    },
    samples,
    passes: passesOf(samples),
    events,
    checks: [],
    cleanupPending: [],
    window: { from: t0, to: Date.now() },
    nova: { predicted: { outcome: 'completed', atSec: null, message: '' }, executed },
    libvirt: record,
    ...(fault && { fault }),
  };
  return { report, dst };
}

/** What libvirt set on the source's QEMU for this migration (read through QMP while the job runs). */
async function readSettings(vm: LibvirtVm, signal?: AbortSignal): Promise<HopReport['settings'] | undefined> {
  try {
    const caps = await vm.qmp.queryMigrateCapabilities({ signal, timeoutMs: 10_000 });
    const params = await vm.qmp.queryMigrateParameters({ signal, timeoutMs: 10_000 });
    const numbers = Object.fromEntries(
      Object.entries(params).filter((e): e is [string, number] => typeof e[1] === 'number'),
    );
    return {
      source: { capabilities: Object.fromEntries(caps.map((c) => [c.capability, c.state])), parameters: numbers },
      destination: { capabilities: {}, parameters: {} },
    };
  } catch {
    return undefined;
  }
}

async function run(end: Endpoint, cmd: string, signal?: AbortSignal): Promise<void> {
  const r = await end.transport.exec(cmd, { timeoutMs: 15_000, signal });
  if (r.exitCode !== 0) throw new HwqualError('E_VM', `${cmd} on ${end.name}: ${r.stderr.trim()}`, { host: end.name });
}

/** A destination that never got a heartbeat stream (the migration failed before its QEMU existed). */
function emptyHb(label: string): HeartbeatStream {
  return Object.assign(Object.create(HeartbeatStream.prototype) as HeartbeatStream, {
    label,
    socket: '',
    received: 0,
    ended: 'never opened (no destination QEMU)',
  });
}
