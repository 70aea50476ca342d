// The migration overhead figure: QEMU's own total-time of the same migration run by hwqual (runMigration: 100 ms
// query-migrate sampling, the events capability, the heartbeat stream read on the controller, the detector) and
// "by hand" (the same workload guest's QEMU on the same two hosts, the same max-bandwidth and downtime-limit, one
// `migrate`, nothing sampled, no events capability, the heartbeat port left unread) — paired, alternating which goes
// first, so both see the same machine load.
import type { BuiltImage } from '../src/vm/images/built-image.ts';
import {
  type Endpoint,
  finalFigures,
  MiB,
  runMigration,
  startWorkloadVm,
  type WorkloadGuest,
} from '../src/migration/index.ts';
import { sleep } from '../src/util/wait.ts';
import type { Vm } from '../src/vm/vm.ts';

export interface OverheadCell {
  dirtyMiBps: number;
  bandwidthMiBps: number;
}

export interface OverheadPair {
  /** QEMU's total-time (ms) under hwqual and by hand; which ran first; the 1-min load average before the pair. */
  hwqualMs: number;
  handMs: number;
  first: 'hwqual' | 'hand';
  load: number;
}

/** One migration by hand: boot on A, wait as hwqual does before it migrates, destination on B, one `migrate`. */
export async function migrateByHand(
  a: Endpoint,
  b: Endpoint,
  image: BuiltImage,
  guest: WorkloadGuest,
  tuning: { maxBandwidth: number; downtimeLimitMs: number },
): Promise<number> {
  const vms: Vm[] = [];
  try {
    const src = (await startWorkloadVm(a.transport, 'hand-a', image, guest)).vm;
    vms.push(src);
    await src.waitForConsole(/HWQUAL-WORKLOAD start/, { timeoutMs: 120_000 });
    // hwqual waits for the first integrity line and measures the dirty rate (1 s) before it migrates: as long here.
    await sleep(2500);
    let dst: Vm | undefined;
    let uri = '';
    for (let i = 0; i < 4 && !dst; i++) {
      const port = 49152 + Math.floor(Math.random() * 12000);
      uri = `tcp:${b.address}:${port}`;
      try {
        dst = (await startWorkloadVm(b.transport, 'hand-b', image, guest, { incoming: uri })).vm;
      } catch (err) {
        if (!/Address already in use|Failed to bind/i.test(String(err))) throw err;
      }
    }
    if (!dst) throw new Error('no free port for the destination');
    vms.push(dst);
    await src.qmp.migrateSetParameters({
      'max-bandwidth': tuning.maxBandwidth,
      'downtime-limit': tuning.downtimeLimitMs,
    });
    // The destination resumes the guest when the migration is done, and says so (RESUME: no capability needed).
    const resumed = dst.qmp.waitForEvent('RESUME', { timeoutMs: 120_000, sinceIndex: dst.qmp.events.length });
    await src.qmp.migrate(uri);
    await resumed;
    const f = await finalFigures(() => src.qmp.queryMigrate(), await src.qmp.queryMigrate());
    const total = f.info['total-time'];
    if (f.info.status !== 'completed' || !total) throw new Error(`by hand: ${f.info.status}, total-time ${total}`);
    return total;
  } finally {
    for (const vm of vms.reverse()) await vm.teardown().catch(() => {});
  }
}

/** ≥ 5 pairs of the same cell, alternating which of the two runs first. */
export async function overheadPairs(
  ends: { a: Endpoint; b: Endpoint; image: BuiltImage },
  guest: Omit<WorkloadGuest, 'dirtyMiBps'>,
  cell: OverheadCell,
  pairs: number,
  load: () => number,
  log: (m: string) => void,
): Promise<OverheadPair[]> {
  const g: WorkloadGuest = { ...guest, dirtyMiBps: cell.dirtyMiBps };
  const tuning = { maxBandwidth: cell.bandwidthMiBps * MiB, downtimeLimitMs: 300 };
  const viaHwqual = async () => {
    const run = await runMigration({
      source: ends.a,
      destination: ends.b,
      image: ends.image,
      guest: g,
      strategy: 'precopy',
      tuning,
      deadlineMs: 60_000,
    });
    const h = run.hops[0]!;
    if (h.outcome !== 'completed' || h.metrics.totalMs === undefined)
      throw new Error(`hwqual: ${h.outcome} ${h.diagnosis ?? h.figuresNote ?? ''}`);
    return h.metrics.totalMs;
  };
  const byHand = () => migrateByHand(ends.a, ends.b, ends.image, g, tuning);
  const out: OverheadPair[] = [];
  for (let i = 0; i < pairs; i++) {
    const first = i % 2 === 0 ? 'hwqual' : 'hand';
    const l = load();
    let hwqualMs: number;
    let handMs: number;
    if (first === 'hwqual') {
      hwqualMs = await viaHwqual();
      handMs = await byHand();
    } else {
      handMs = await byHand();
      hwqualMs = await viaHwqual();
    }
    log(
      `overhead ${cell.dirtyMiBps}/${cell.bandwidthMiBps} pair ${i + 1}: hwqual ${hwqualMs} ms, by hand ${handMs} ms`,
    );
    out.push({ hwqualMs, handMs, first, load: l });
  }
  return out;
}
