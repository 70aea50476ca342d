import type { ClientChannel } from 'ssh2';
import { HwqualError } from '../model/errors.ts';
import type { ExecResult } from '../model/exec.ts';
import { CommandError } from './command-error.ts';
import type { Deadline } from './deadline.ts';
import { BatchFrames, type BatchRecord, type FrameEvents } from './ssh-batch-frames.ts';
import { batchKillCommand, batchStopCommand } from './ssh-batch-script.ts';
import type { SshConnection } from './ssh-connect.ts';
import { remoteProcesses } from './remote-processes.ts';
import { where } from './ssh-errors.ts';

/** How long a killed command may take to report before we give up on it. */
const KILL_GRACE_MS = 10_000;
/**
 * How long a command may wait in its batch behind the ones before it (at most; half its own timeout when that is
 * shorter) before the commands not yet started move to another channel.
 */
export const MAX_QUEUE_WAIT_MS = 5_000;

/** One batched command: its caller's promise, its stop conditions, and where it is on the host. */
export interface Member {
  command: string;
  timeoutMs?: number;
  /** Cancels from the start; its timeout is started when the command starts on the host. */
  deadline: Deadline;
  queuedAt: Date;
  tq: number;
  startedAt?: Date;
  t0?: number;
  pid?: number;
  /** Removes it from the remote-process registry (set once its pid is known). */
  offRegistry?: () => void;
  killSent?: boolean;
  done: boolean;
  resolve(r: ExecResult): void;
  reject(e: Error): void;
}

export interface BatchHooks {
  /** Commands this batch will not run after all (it stopped before them): send them down another channel. */
  requeue(members: Member[]): void;
  /** Told when a slow command makes the batch stop early (stats). */
  onSplit(): void;
}

/** The longest a member may wait behind the others in one batch (see MAX_QUEUE_WAIT_MS). */
export function queueAllowanceMs(m: Pick<Member, 'timeoutMs'>): number {
  return m.timeoutMs ? Math.min(MAX_QUEUE_WAIT_MS, m.timeoutMs / 2) : MAX_QUEUE_WAIT_MS;
}

/**
 * Wire one batch channel: records settle their members as they arrive; a member's timeout starts when the host
 * announces its pid; stops kill a member's process tree. When a member has waited its allowance behind a running
 * command, the batch shell is asked to stop (batchStopCommand) and the members it did not start go back to the batcher.
 */
export function runBatch(
  conn: SshConnection,
  channel: ClientChannel,
  members: Member[],
  marker: string,
  hostName: string,
  hooks: BatchHooks,
): void {
  const frames = new BatchFrames(marker);
  const openedAt = performance.now();
  const mine = new Set(members);
  const onStops = new Map(members.map((m) => [m, () => stopped(m)]));
  let shellPid: number | undefined;
  let stopAsked = false;
  let splitTimer: ReturnType<typeof setTimeout> | undefined;

  const leave = (m: Member) => {
    mine.delete(m);
    m.offRegistry?.();
    m.deadline.signal.removeEventListener('abort', onStops.get(m)!);
    if (mine.size === 0) {
      offLost();
      clearTimeout(splitTimer);
    }
  };
  const settle = (m: Member, fn: () => void) => {
    if (m.done || !mine.has(m)) return;
    m.done = true;
    leave(m);
    fn();
  };
  const running = () => [...mine].find((m) => m.pid !== undefined && !m.done);
  const waiting = () => [...mine].filter((m) => m.pid === undefined && !m.done);

  const askStop = () => {
    if (stopAsked || shellPid === undefined || !running() || !waiting().length) return;
    stopAsked = true;
    clearTimeout(splitTimer);
    hooks.onSplit();
    reserveExec(conn, batchStopCommand(shellPid, marker)).catch(() => {}); // not stopped: they wait their turn here
  };
  const armSplit = () => {
    clearTimeout(splitTimer);
    const w = waiting();
    if (stopAsked || !w.length) return;
    const due = Math.min(...w.map((m) => openedAt + queueAllowanceMs(m)));
    splitTimer = setTimeout(askStop, Math.max(0, due - performance.now()));
    splitTimer.unref?.();
  };

  const kill = (m: Member) => {
    if (!m.deadline.reason || m.pid === undefined || m.killSent || m.done) return;
    m.killSent = true;
    const giveUp = () =>
      settle(m, () =>
        m.reject(
          stoppedError(
            hostName,
            m,
            '',
            `hwqual: could not kill process ${m.pid} and its children on ${hostName}; it may still run\n`,
          ),
        ),
      );
    reserveExec(conn, batchKillCommand(m.pid)).then(() => {
      if (!m.done) setTimeout(giveUp, KILL_GRACE_MS).unref();
    }, giveUp);
  };
  // Stopped before it started: killed once its pid is known, or never started when the batch stops early.
  const stopped = (m: Member) => (m.pid === undefined ? askStop() : kill(m));

  const onStart = (m: Member, pid: number) => {
    if (m.done) return;
    m.pid = pid;
    // Registered so the emergency path (a second Ctrl-C) can kill it even when this run's own kill never comes.
    m.offRegistry = remoteProcesses.add(conn, {
      host: hostName,
      channel: 'batch',
      kill: batchKillCommand(pid),
      command: m.command,
    });
    m.startedAt = new Date();
    m.t0 = performance.now();
    m.deadline.startTimeout(m.timeoutMs);
    kill(m);
    armSplit();
  };
  const onRecord = (rec: BatchRecord) => {
    const m = members[rec.index];
    if (!m) return;
    const stdout = rec.stdout.toString('utf8');
    const stderr = rec.stderr.toString('utf8');
    if (m.deadline.reason) return settle(m, () => m.reject(stoppedError(hostName, m, stdout, stderr)));
    settle(m, () =>
      m.resolve({
        host: hostName,
        command: m.command,
        exitCode: rec.exitCode,
        signal: null,
        stdout,
        stderr,
        startedAt: (m.startedAt ?? m.queuedAt).toISOString(),
        durationMs: performance.now() - (m.t0 ?? m.tq),
        timedOut: false,
        cancelled: false,
      }),
    );
  };
  const onStoppedAt = (index: number) => {
    const moved = members.slice(index).filter((m) => mine.has(m) && !m.done && m.pid === undefined);
    for (const m of moved) leave(m);
    if (moved.length) hooks.requeue(moved);
  };
  const onEvents = (ev: FrameEvents) => {
    if (ev.shell !== undefined) shellPid = ev.shell;
    for (const [i, pid] of ev.pids) if (members[i]) onStart(members[i], pid);
    for (const r of ev.records) onRecord(r);
    if (ev.stoppedAt !== undefined) onStoppedAt(ev.stoppedAt);
  };

  for (const m of members) {
    if (!m.deadline.signal.aborted) m.deadline.signal.addEventListener('abort', onStops.get(m)!, { once: true });
  }
  channel.on('data', (d: Buffer) => onEvents(frames.pushStdout(d)));
  channel.stderr.on('data', (d: Buffer) => onEvents(frames.pushStderr(d)));
  channel.on('close', () => {
    const why = frames.strayStderr().trim();
    const detail = why ? ` (${why.split('\n').slice(-2).join(' | ')})` : '';
    for (const m of [...mine]) {
      settle(m, () =>
        m.reject(
          conn.lost ??
            new HwqualError(
              'E_CHANNEL',
              `${m.command} on ${where(conn.host)}: the batch channel closed without this command's result${detail}`,
              { host: hostName },
            ),
        ),
      );
    }
  });
  const offLost = conn.onLost((lost) => {
    for (const m of [...mine]) {
      settle(m, () =>
        m.reject(
          new HwqualError('E_CONNECTION_LOST', `${lost.message} (while running: ${m.command})`, {
            host: hostName,
            cause: lost,
          }),
        ),
      );
    }
  });
  channel.end();
}

/** E_TIMEOUT / E_CANCELLED for a member, shaped like its result would have been. */
export function stoppedError(host: string, m: Member, stdout: string, stderr: string): CommandError {
  return new CommandError(m.deadline.reason === 'timeout' ? 'E_TIMEOUT' : 'E_CANCELLED', {
    host,
    command: m.command,
    exitCode: null,
    signal: m.killSent ? 'SIGKILL' : null,
    stdout,
    stderr,
    startedAt: (m.startedAt ?? m.queuedAt).toISOString(),
    durationMs: performance.now() - (m.t0 ?? m.tq),
    timedOut: m.deadline.reason === 'timeout',
    cancelled: m.deadline.reason === 'cancel',
  });
}

/** A short command on a second channel (the connection's reserve slot): kill a command, stop a batch. */
async function reserveExec(conn: SshConnection, command: string): Promise<void> {
  const ch = await conn.channel<ClientChannel>((cb) => conn.client.exec(command, cb), 'kill', {
    limiter: conn.reserve,
    session: true,
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      ch.close();
      reject(new Error(`${command}: did not finish`));
    }, KILL_GRACE_MS);
    ch.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ch.resume();
    ch.stderr.resume();
    ch.end();
  });
}
