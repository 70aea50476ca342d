import { messageOf } from '../model/errors.ts';
import type { QmpClient } from '../vm/qmp-client.ts';
import type { QmpMigrationInfo } from '../model/qmp.ts';
import { poll } from '../util/poll.ts';
import { waitForHost } from './host-answers.ts';
import type { LineCollector } from './heartbeat.ts';
import { reattachGuest } from './reattach.ts';
import { toSample } from './sample.ts';
import type { Endpoint, GuestHandle, MigrationSample, RecoveryRecord } from './types.ts';

export interface RecoveryOptions {
  /** How long to wait for the destination to answer again after the pause (ms, default 60 s). */
  linkWaitMs?: number;
  /** How long the resumed migration may take to complete (ms, default 120 s). */
  resumeTimeoutMs?: number;
}

export interface RecoveryRequest extends RecoveryOptions {
  src: GuestHandle;
  dst: GuestHandle;
  source: Endpoint;
  destination: Endpoint;
  collector: LineCollector;
  /** The hop's clock origin (epoch ms) and its sample series, which the recovery extends. */
  t0: number;
  samples: MigrationSample[];
  sampleMs: number;
  signal?: AbortSignal;
  log: (m: string) => void;
}

const describe = (i: QmpMigrationInfo) =>
  `${i.status ?? 'none'}${i['error-desc'] ? ` (QEMU: ${i['error-desc']})` : ''}`;

/**
 * `migrate-pause` on A, wait until B answers again, pause B too if it still thinks post-copy is active,
 * `migrate-recover` on B at a new port, `migrate` with `resume` on A, and follow it to the end.
 */
export async function recoverPostcopy(
  req: RecoveryRequest,
  stalledAt: number,
): Promise<{ record: RecoveryRecord; info: QmpMigrationInfo }> {
  const { src, dst, source: A, destination: B, signal } = req;
  const rec: RecoveryRecord = { outcome: 'lost', stalledAt, detail: '', steps: [] };
  const now = () => Date.now() - req.t0;
  const step = (s: string) => {
    rec.steps.push({ t: now(), step: s });
    req.log(`recovery: ${s}`);
  };
  const lost = (info: QmpMigrationInfo, why: string) => ({
    record: {
      ...rec,
      outcome: 'lost' as const,
      sourceStatus: info.status,
      detail: `${why}; ${A.name} is ${describe(info)}`,
    },
    info,
  });

  await src.vm.qmp.migratePause({ signal }).then(
    () => step(`migrate-pause on ${A.name}`),
    (e) => step(`migrate-pause on ${A.name}: ${messageOf(e)}`),
  );
  let info = await untilStatus(src.vm.qmp, (s) => s !== 'postcopy-active', 15_000, signal);
  req.samples.push(toSample(info, now()));
  if (info.status === 'completed')
    return {
      record: {
        ...rec,
        outcome: 'not-needed',
        sourceStatus: 'completed',
        detail: 'the migration completed before the pause took effect',
      },
      info,
    };
  if (info.status !== 'postcopy-paused') return lost(info, `${A.name} did not pause: ${describe(info)}`);
  rec.pausedAt = now();

  const back = await waitForHost(B.transport, { waitMs: req.linkWaitMs ?? 60_000, probeMs: 3000, signal });
  if (back === undefined)
    return lost(
      info,
      `${B.name} did not answer within ${((req.linkWaitMs ?? 60_000) / 1000).toFixed(0)} s after the pause; the ` +
        `guest stays paused between ${A.name} and ${B.name}`,
    );
  rec.linkBackAt = back - req.t0;
  step(`${B.name} answers`);
  if (!(await dst.vm.isAlive().catch(() => true)))
    return lost(info, `${B.name}: the destination QEMU is gone (pid ${dst.vm.pid} exited or was killed)`);
  try {
    if (await reattachGuest(dst, B, req.collector, signal)) step(`QMP and heartbeat of ${B.name} reconnected`);
  } catch (err) {
    // A post-copy destination's main loop may wait for a missing page: a new session cannot even negotiate.
    return lost(
      info,
      `${B.name}: its QMP session ended with the SSH connection and a new one could not be opened ` +
        `(${messageOf(err)}); a recovery needs the session opened before the fault, so the SSH keepalives ` +
        '(interval × count) must outlast the outage',
    );
  }
  let uri: string;
  try {
    uri = rec.uri = await recoverOnDestination(dst.vm.qmp, B, step, signal);
    step(`migrate-recover on ${B.name} (${uri})`);
  } catch (err) {
    return lost(info, `${B.name}: ${messageOf(err)}`);
  }
  try {
    await src.vm.qmp.migrateResume(uri, { signal });
  } catch (err) {
    return lost(info, `migrate resume on ${A.name}: ${messageOf(err)}`);
  }
  rec.resumedAt = now();
  step(`migrate resume on ${A.name}`);
  info = await followResume(req, rec.resumedAt);
  if (info.status !== 'completed') {
    const bInfo = await dst.vm.qmp.queryMigrate({ signal, timeoutMs: 10_000 }).catch(() => undefined);
    return lost(
      info,
      `resumed post-copy did not complete: ${A.name} ${describe(info)}${bInfo ? `, ${B.name} ${describe(bInfo)}` : ''}`,
    );
  }
  rec.recoveredAt = now();
  step('completed');
  rec.destinationStatus = (await dst.vm.qmp.queryMigrate({ signal, timeoutMs: 5000 }).catch(() => undefined))?.status;
  const pausedFor = ((rec.resumedAt - rec.pausedAt) / 1000).toFixed(1);
  return {
    record: {
      ...rec,
      outcome: 'recovered',
      sourceStatus: 'completed',
      detail:
        `paused ${pausedFor} s, resumed on ${uri}, ` +
        `completed ${((rec.recoveredAt - rec.resumedAt) / 1000).toFixed(1)} s later`,
    },
    info,
  };
}

/**
 * On B, out of band (its main loop may be stuck behind a vCPU that waits for a page): `migrate-pause` when it still
 * thinks post-copy is active (its end of the old channel may not have noticed the fault), then `migrate-recover` at
 * a new port as soon as it is paused; retried on "address in use".
 */
async function recoverOnDestination(
  qmp: QmpClient,
  B: Endpoint,
  step: (s: string) => void,
  signal?: AbortSignal,
): Promise<string> {
  const oob = { signal, timeoutMs: 10_000, oob: true };
  await qmp.migratePause(oob).then(
    () => step(`migrate-pause on ${B.name}`),
    (e) => step(`migrate-pause on ${B.name} refused: ${messageOf(e)}`),
  );
  let inUse = 0;
  let notYet: unknown; // B does not know yet that post-copy is paused: asked again for up to 15 s
  const listening = async () => {
    for (;;) {
      const uri = `tcp:${B.address}:${49152 + Math.floor(Math.random() * 12000)}`;
      try {
        await qmp.migrateRecover(uri, oob);
        return uri;
      } catch (err) {
        const m = messageOf(err);
        if (/Address already in use|Failed to bind/i.test(m) && ++inUse < 4) continue;
        if (!/only be run when postcopy is paused/i.test(m)) throw err;
        notYet = err;
        return undefined;
      }
    }
  };
  const uri = await poll(listening, { timeoutMs: 15_000, everyMs: 200, signal });
  if (uri === undefined) throw notYet;
  return uri;
}

/**
 * Sample A after the resume until completed, failed, paused again (after a grace for the reconnect), or the timeout.
 */
async function followResume(req: RecoveryRequest, resumedAt: number): Promise<QmpMigrationInfo> {
  let left = false;
  let info: QmpMigrationInfo = {};
  const ended = async () => {
    info = await req.src.vm.qmp.queryMigrate({ signal: req.signal, timeoutMs: 10_000 });
    const t = Date.now() - req.t0;
    req.samples.push(toSample(info, t));
    const s = info.status ?? 'none';
    if (s === 'completed' || s === 'failed' || s === 'cancelled') return info;
    if (s !== 'postcopy-paused') left = true;
    if (s === 'postcopy-paused' && (left || t - resumedAt > 10_000)) return info;
    return undefined;
  };
  const opts = { timeoutMs: req.resumeTimeoutMs ?? 120_000, everyMs: req.sampleMs, signal: req.signal };
  return (await poll(ended, opts)) ?? info;
}

/** Poll query-migrate until `done(status)` or the time is up; returns the last answer. */
async function untilStatus(
  qmp: QmpClient,
  done: (s: string) => boolean,
  ms: number,
  signal?: AbortSignal,
): Promise<QmpMigrationInfo> {
  let info: QmpMigrationInfo = {};
  const settled = async () => {
    info = await qmp.queryMigrate({ signal, timeoutMs: 10_000 });
    return done(info.status ?? 'none') ? info : undefined;
  };
  return (await poll(settled, { timeoutMs: ms, signal })) ?? info;
}
