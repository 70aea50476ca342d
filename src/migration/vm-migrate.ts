import type { QmpMigrationInfo } from '../model/qmp.ts';
import { sleep } from '../util/wait.ts';
import type { Vm } from '../vm/vm.ts';
import { finalFigures, notReportedNote } from './final-figures.ts';
import { onFreePort } from './incoming.ts';
import { applySettings, strategySettings, type Tuning } from './strategy.ts';
import type { Endpoint } from './types.ts';

/** One pre-copy migration of a VM that is not the workload guest, as QEMU reported it. Plain data. */
export interface VmHop {
  from: string;
  to: string;
  uri: string;
  /** QEMU's final status (`completed`, `failed`, `cancelled`: cancelled at the deadline). */
  status: string;
  totalMs?: number;
  downtimeMs?: number;
  transferredBytes?: number;
  /** QEMU's error-desc, or why hwqual cancelled. */
  error?: string;
  /** A completed migration whose figures QEMU never filled in: which ones (they are left out above, never 0). */
  figuresNote?: string;
}

/**
 * Live-migrate any VM (e.g. a Debian guest running its own workload, with no heartbeat port) from one host to the
 * other: `launchDestination` starts the same VM on B with the given `-incoming` (its disks on storage both hosts
 * share), pre-copy settings are applied and read back on both sides, `migrate`, then `query-migrate` every 200 ms
 * until QEMU is done — or `migrate_cancel` at the deadline. Returns the destination when the migration completed
 * (the caller retires the source); otherwise the destination is ended and the guest runs on A.
 */
export async function migrateVm(o: {
  src: Vm;
  source: Endpoint;
  destination: Endpoint;
  launchDestination: (incoming: string) => Promise<Vm>;
  tuning?: Tuning;
  deadlineMs: number;
  signal?: AbortSignal;
}): Promise<{ hop: VmHop; dst?: Vm }> {
  const { src, signal } = o;
  const { started: dst, uri } = await onFreePort(o.destination.address, o.launchDestination);
  let info: QmpMigrationInfo = {};
  let error: string | undefined;
  try {
    const settings = strategySettings('precopy', o.tuning ?? {});
    await applySettings(src.qmp, settings.source, `${o.source.name} (source)`, signal);
    await applySettings(dst.qmp, settings.destination, `${o.destination.name} (destination)`, signal);
    const t0 = Date.now();
    await src.qmp.migrate(uri, { signal });
    for (;;) {
      info = await src.qmp.queryMigrate({ signal, timeoutMs: 10_000 });
      if (['completed', 'failed', 'cancelled'].includes(info.status ?? '')) break;
      if (error === undefined && Date.now() - t0 > o.deadlineMs) {
        error = `cancelled: not completed within ${Math.round(o.deadlineMs / 1000)} s (${info.status})`;
        await src.qmp.migrateCancel({ signal });
      }
      await sleep(200, signal);
    }
  } catch (err) {
    await dst.teardown().catch(() => {});
    throw err;
  }
  // QEMU 7.2 answers `completed` before it has filled in total-time and downtime: read them again (final-figures.ts).
  let missing: string[] = [];
  let figuresNote: string | undefined;
  try {
    const f = await finalFigures(() => src.qmp.queryMigrate({ signal, timeoutMs: 10_000 }), info, { signal });
    info = f.info;
    missing = f.notReported;
    figuresNote = notReportedNote(f);
  } catch (err) {
    await dst.teardown().catch(() => {});
    throw err;
  }
  const hop: VmHop = {
    from: o.source.name,
    to: o.destination.name,
    uri,
    status: info.status ?? 'unknown',
    ...(info['total-time'] !== undefined && !missing.includes('total-time') && { totalMs: info['total-time'] }),
    ...(info.downtime !== undefined && !missing.includes('downtime') && { downtimeMs: info.downtime }),
    ...(info.ram?.transferred !== undefined && { transferredBytes: info.ram.transferred }),
    ...((error ?? info['error-desc']) && { error: error ?? info['error-desc'] }),
    ...(figuresNote && { figuresNote }),
  };
  if (hop.status === 'completed') return { hop, dst };
  await dst.teardown().catch(() => {});
  return { hop };
}
