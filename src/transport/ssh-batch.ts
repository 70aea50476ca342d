import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import { HwqualError } from '../model/errors.ts';
import type { ExecOptions, ExecResult } from '../model/exec.ts';
import { CommandError } from './command-error.ts';
import { Deadline } from './deadline.ts';
import { BatchFrames, type BatchRecord, type FrameEvents } from './ssh-batch-frames.ts';
import { batchCommandLine, batchKillCommand } from './ssh-batch-script.ts';
import type { SshConnection } from './ssh-connect.ts';
import { remoteProcesses } from './remote-processes.ts';
import { where } from './ssh-errors.ts';

/** Commands per batch channel (they run one after the other on the host; more go to further channels). */
export const MAX_BATCH = 64;
/** How long a killed command may take to report before we give up on it. */
const KILL_GRACE_MS = 10_000;

/** `HWQUAL_SSH_BATCH=0` turns batching off (one channel per command, as before). */
export function batchingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.HWQUAL_SSH_BATCH !== '0';
}

interface Member {
  command: string;
  deadline: Deadline;
  startedAt: Date;
  t0: number;
  pid?: number;
  /** Removes it from the remote-process registry (set once its pid is known). */
  offRegistry?: () => void;
  killSent?: boolean;
  done: boolean;
  resolve(r: ExecResult): void;
  reject(e: Error): void;
}

/**
 * Read-only commands of one host issued close together (same event-loop turn, or while waiting for a free channel)
 * go out as ONE session channel running a generated script (ssh-batch-script.ts) that runs them one after the
 * other; their output is demultiplexed so each caller gets its own ExecResult as soon as its command ends — same
 * contract as a single exec: own stdout, stderr and exit code; a timeout or cancel kills that command's process tree on
 * the host and rejects with E_TIMEOUT / E_CANCELLED. Saves sshd a session (fork, shell, channel set-up: tens of ms
 * each) per command.
 */
export class SshBatcher {
  /** Batch channels opened, and commands sent through them (stats for tests and the bench). */
  batches = 0;
  batchedCommands = 0;
  private pending: Member[] = [];
  private flushQueued = false;

  constructor(
    private readonly hostName: string,
    private readonly connect: () => Promise<SshConnection>,
    private readonly maxBatch = MAX_BATCH,
  ) {}

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      const deadline = new Deadline(options);
      const m: Member = {
        command,
        deadline,
        startedAt: new Date(),
        t0: performance.now(),
        done: false,
        resolve: (r) => {
          deadline.dispose();
          resolve(r);
        },
        reject: (e) => {
          deadline.dispose();
          reject(e);
        },
      };
      this.pending.push(m);
      if (deadline.signal.aborted) this.stopPending(m);
      else deadline.signal.addEventListener('abort', () => this.stopPending(m), { once: true });
      this.queueFlush();
    });
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => void this.flush());
  }

  /** A command stopped before its batch left: it never ran. */
  private stopPending(m: Member): void {
    const i = this.pending.indexOf(m);
    if (i < 0) return;
    this.pending.splice(i, 1);
    m.done = true;
    m.reject(
      new CommandError(
        m.deadline.reason === 'timeout' ? 'E_TIMEOUT' : 'E_CANCELLED',
        stoppedResult(this.hostName, m, '', ''),
      ),
    );
  }

  private async flush(): Promise<void> {
    let batch: Member[] | undefined;
    const take = () => {
      batch = this.pending.splice(0, this.maxBatch);
      this.flushQueued = false;
      if (this.pending.length) this.queueFlush();
      return batch;
    };
    let conn: SshConnection;
    let channel: ClientChannel;
    const marker = `@@hwqual-${randomBytes(12).toString('hex')}`;
    try {
      conn = await this.connect();
      // The batch is taken when the channel slot is granted: what queued meanwhile rides along.
      channel = await conn.channel<ClientChannel>(
        (cb) =>
          conn.client.exec(
            batchCommandLine(
              (batch ?? take()).map((m) => m.command),
              marker,
            ),
            cb,
          ),
        'exec batch',
        { session: true },
      );
    } catch (err) {
      for (const m of batch ?? take()) this.fail(m, err as Error);
      return;
    }
    this.batches++;
    this.batchedCommands += batch!.length;
    runBatch(conn, channel, batch!, marker, this.hostName);
  }

  private fail(m: Member, err: Error): void {
    if (m.done) return;
    m.done = true;
    m.reject(err);
  }
}

/** Wire one batch channel: records settle their members as they arrive; stops kill a member's process tree. */
function runBatch(
  conn: SshConnection,
  channel: ClientChannel,
  members: Member[],
  marker: string,
  hostName: string,
): void {
  const frames = new BatchFrames(marker);
  let open = members.length;
  const settle = (m: Member, fn: () => void) => {
    if (m.done) return;
    m.done = true;
    m.offRegistry?.();
    m.deadline.signal.removeEventListener('abort', onStops[members.indexOf(m)]!);
    fn();
    if (--open === 0) offLost();
  };
  const onRecord = (rec: BatchRecord) => {
    const m = members[rec.index];
    if (!m) return;
    const stdout = rec.stdout.toString('utf8');
    const stderr = rec.stderr.toString('utf8');
    if (m.deadline.reason) {
      const code = m.deadline.reason === 'timeout' ? 'E_TIMEOUT' : 'E_CANCELLED';
      settle(m, () => m.reject(new CommandError(code, stoppedResult(hostName, m, stdout, stderr))));
      return;
    }
    settle(m, () =>
      m.resolve({
        host: hostName,
        command: m.command,
        exitCode: rec.exitCode,
        signal: null,
        stdout,
        stderr,
        startedAt: m.startedAt.toISOString(),
        durationMs: performance.now() - m.t0,
        timedOut: false,
        cancelled: false,
      }),
    );
  };
  const kill = (m: Member) => {
    if (!m.deadline.reason || m.pid === undefined || m.killSent || m.done) return;
    m.killSent = true;
    const giveUp = () =>
      settle(m, () =>
        m.reject(
          new CommandError(
            m.deadline.reason === 'timeout' ? 'E_TIMEOUT' : 'E_CANCELLED',
            stoppedResult(
              hostName,
              m,
              '',
              `hwqual: could not kill process ${m.pid} and its children on ${hostName}; it may still run\n`,
            ),
          ),
        ),
      );
    killTree(conn, m.pid).then(() => {
      if (!m.done) setTimeout(giveUp, KILL_GRACE_MS).unref();
    }, giveUp);
  };
  const onStops = members.map((m) => () => kill(m));
  // A member stopped while the channel opened is still in the script: it is killed once its pid is known.
  members.forEach((m, i) => {
    if (!m.deadline.signal.aborted) m.deadline.signal.addEventListener('abort', onStops[i]!, { once: true });
  });
  const onEvents = (ev: FrameEvents) => {
    for (const [i, pid] of ev.pids) {
      const m = members[i];
      if (!m) continue;
      m.pid = pid;
      if (!m.done)
        m.offRegistry = remoteProcesses.add(conn, {
          host: hostName,
          channel: 'batch',
          kill: batchKillCommand(pid),
          command: m.command,
        });
      kill(m);
    }
    for (const r of ev.records) onRecord(r);
  };
  channel.on('data', (d: Buffer) => onEvents(frames.pushStdout(d)));
  channel.stderr.on('data', (d: Buffer) => onEvents(frames.pushStderr(d)));
  channel.on('close', () => {
    const why = frames.strayStderr().trim();
    for (const m of members) {
      settle(m, () =>
        m.reject(
          conn.lost ??
            new HwqualError(
              'E_CHANNEL',
              `${m.command} on ${where(conn.host)}: the batch channel closed without this command's result` +
                (why ? ` (${why.split('\n').slice(-2).join(' | ')})` : ''),
              { host: hostName },
            ),
        ),
      );
    }
  });
  const offLost = conn.onLost((lost) => {
    for (const m of members) {
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
  for (const m of members) if (m.deadline.reason) kill(m);
  channel.end();
}

function stoppedResult(host: string, m: Member, stdout: string, stderr: string): ExecResult {
  return {
    host,
    command: m.command,
    exitCode: null,
    signal: m.killSent ? 'SIGKILL' : null,
    stdout,
    stderr,
    startedAt: m.startedAt.toISOString(),
    durationMs: performance.now() - m.t0,
    timedOut: m.deadline.reason === 'timeout',
    cancelled: m.deadline.reason === 'cancel',
  };
}

/** Kill one batched command's process tree from a second channel (the connection's reserve slot). */
async function killTree(conn: SshConnection, pid: number): Promise<void> {
  const ch = await conn.channel<ClientChannel>((cb) => conn.client.exec(batchKillCommand(pid), cb), 'kill', {
    limiter: conn.reserve,
    session: true,
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      ch.close();
      reject(new Error('kill did not finish'));
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
