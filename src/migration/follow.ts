import { HwqualError } from '../model/errors.ts';
import type { QmpMigrationInfo } from '../model/qmp.ts';
import { poll } from '../util/poll.ts';
import { sleep } from '../util/wait.ts';
import type { QmpClient } from '../vm/qmp-client.ts';
import type { ConvergenceDetector } from './detect.ts';
import { type FinalFigures, finalFigures } from './final-figures.ts';
import { toSample } from './sample.ts';
import type { Diagnosis, MigrationSample, RecoveryRecord } from './types.ts';

const FINAL = new Set(['completed', 'failed', 'cancelled']);
/**
 * How long one `query-migrate` may take. QEMU answers it in its main loop, under the big lock — which the migration
 * thread holds through the stop-and-copy (the last pages and the device state): a query sent then waits for the
 * downtime to end, and on a host starved of CPU (TCG, other work) that took over 10 s here.
 */
const QUERY_TIMEOUT_MS = 30_000;

/** What following one outgoing migration needs: the source's QMP, the detector, the sampling period. */
export interface FollowRequest {
  qmp: QmpClient;
  detector: ConvergenceDetector;
  /** When `migrate` was sent (epoch ms): sample times count from it. */
  t0: number;
  sampleMs: number;
  signal?: AbortSignal;
  log: (m: string) => void;
  /** Every sample, before the detector sees it: the post-copy switch, a fault. */
  onSample?: (s: MigrationSample, now: number) => Promise<void>;
  /** A verdict past the post-copy switchover: the guest cannot go back, so the recovery takes over and ends it. */
  recover?: (now: number, samples: MigrationSample[]) => Promise<{ record: RecoveryRecord; info: QmpMigrationInfo }>;
  /** How long to wait for QEMU's final figures after it said `completed` (default 5 s). */
  figuresTimeoutMs?: number;
  /** A probe (link.ts): `migrate_cancel` as soon as QEMU starts this pass (its sync count reaches it). */
  stopAtPass?: number;
}

export interface Followed {
  /** The final answer (the one the figures were read from): completed, failed, cancelled. */
  info: QmpMigrationInfo;
  samples: MigrationSample[];
  diagnosis?: Diagnosis;
  recovery?: RecoveryRecord;
  figures: FinalFigures;
  /** When the migration was first seen in a final state (epoch ms); 0 when a verdict ended it. */
  endedAt: number;
}

/**
 * Sample `query-migrate` every `sampleMs` until the migration ends — by itself, by a verdict of the detector (then
 * `migrate_cancel`, or the post-copy recovery), or by QEMU pausing post-copy — and read QEMU's final figures.
 */
export async function followMigration(req: FollowRequest): Promise<Followed> {
  const { qmp, signal, t0 } = req;
  const samples: MigrationSample[] = [];
  let diagnosis: Diagnosis | undefined;
  let info: QmpMigrationInfo = {};
  let endedAt = 0;
  for (;;) {
    const now = Date.now() - t0;
    info = await qmp.queryMigrate({ signal, timeoutMs: QUERY_TIMEOUT_MS });
    const s = toSample(info, now);
    samples.push(s);
    if (FINAL.has(s.status)) {
      endedAt = Date.now();
      break;
    }
    await req.onSample?.(s, now);
    if (req.stopAtPass !== undefined && s.status === 'active' && s.syncCount >= req.stopAtPass) {
      req.log(`pass ${s.syncCount}: the probe ends here (migrate_cancel)`);
      await cancel(qmp, signal);
      info = await qmp.queryMigrate({ signal, timeoutMs: QUERY_TIMEOUT_MS });
      samples.push(toSample(info, Date.now() - t0));
      break;
    }
    diagnosis ??= req.detector.observe(s) ?? pausedByQemu(s.status, info);
    if (diagnosis) {
      req.log(diagnosis.message);
      if (req.recover && (s.status === 'postcopy-active' || s.status === 'postcopy-paused')) {
        const { record, info: last } = await req.recover(now, samples);
        const figures = await figuresOf(req, last, samples);
        return { info: figures.info, samples, diagnosis, recovery: record, figures, endedAt };
      }
      await cancel(qmp, signal);
      info = await qmp.queryMigrate({ signal, timeoutMs: QUERY_TIMEOUT_MS });
      samples.push(toSample(info, Date.now() - t0));
      break;
    }
    await sleep(Math.max(0, req.sampleMs - (Date.now() - t0 - now)), signal);
  }
  const figures = await figuresOf(req, info, samples);
  return { info: figures.info, samples, ...(diagnosis && { diagnosis }), figures, endedAt };
}

/** The final figures; a re-read answer is one more sample (what QEMU said, when). */
async function figuresOf(req: FollowRequest, info: QmpMigrationInfo, samples: MigrationSample[]) {
  const query = () => req.qmp.queryMigrate({ signal: req.signal, timeoutMs: QUERY_TIMEOUT_MS });
  const f = await finalFigures(query, info, { timeoutMs: req.figuresTimeoutMs, signal: req.signal });
  if (f.requeried) {
    samples.push(toSample(f.info, Date.now() - req.t0));
    req.log(
      f.notReported.length
        ? `completed, but QEMU gave no ${f.notReported.join(', ')} in ${f.requeried} more queries`
        : `completed: QEMU's final figures read ${f.requeried} queries after it said completed`,
    );
  }
  return f;
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

async function cancel(qmp: QmpClient, signal?: AbortSignal): Promise<void> {
  await qmp.migrateCancel({ signal });
  let s = 'none';
  const ended = async () => {
    s = (await qmp.queryMigrate({ signal })).status ?? 'none';
    return FINAL.has(s) || undefined;
  };
  if (!(await poll(ended, { timeoutMs: 30_000, signal })))
    throw new HwqualError('E_VM', `migrate_cancel: still ${s} after 30 s`, { host: qmp.host });
}
