import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import type { ExecOptions, ExecResult } from '../model/exec.ts';
import { Deadline } from './deadline.ts';
import { type Member, runBatch, stoppedError } from './ssh-batch-run.ts';
import { batchCommandLine } from './ssh-batch-script.ts';
import type { SshConnection } from './ssh-connect.ts';

/** Commands per batch channel (they run one after the other on the host; more go to further channels). */
export const MAX_BATCH = 64;

/** `HWQUAL_SSH_BATCH=0` turns batching off (one channel per command, as before). */
export function batchingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.HWQUAL_SSH_BATCH !== '0';
}

/**
 * Read-only commands of one host issued close together (same event-loop turn, or while waiting for a free channel)
 * go out as ONE session channel running a generated script (ssh-batch-script.ts) that runs them one after the
 * other; their output is demultiplexed so each caller gets its own ExecResult as soon as its command ends — same
 * contract as a single exec: own stdout, stderr and exit code; a timeout or cancel kills that command's process tree
 * on the host and rejects with E_TIMEOUT / E_CANCELLED. A command's timeout counts from when it starts on the host;
 * a command that holds up the ones behind it longer than they may wait sends them down another channel
 * (ssh-batch-run.ts). Saves sshd a session (fork, shell, channel set-up: tens of ms each) per command.
 */
export class SshBatcher {
  /** Batch channels opened, commands sent through them, and batches a slow command split (stats). */
  batches = 0;
  batchedCommands = 0;
  splits = 0;
  private pending: Member[] = [];
  private flushQueued = false;

  constructor(
    private readonly hostName: string,
    private readonly connect: () => Promise<SshConnection>,
    private readonly maxBatch = MAX_BATCH,
  ) {}

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      const deadline = new Deadline({ signal: options.signal }); // the timeout starts with the command
      const m: Member = {
        command,
        timeoutMs: options.timeoutMs,
        deadline,
        queuedAt: new Date(),
        tq: performance.now(),
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

  /** Commands a batch stopped before: first in line for the next channel (or rejected, if cancelled meanwhile). */
  private requeue(members: Member[]): void {
    const live = members.filter((m) => {
      if (!m.deadline.reason) return true;
      m.done = true;
      m.reject(stoppedError(this.hostName, m, '', ''));
      return false;
    });
    this.pending.unshift(...live);
    if (live.length) this.queueFlush();
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
    m.reject(stoppedError(this.hostName, m, '', ''));
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
    if (!batch!.length) {
      channel.close(); // everything taken was cancelled meanwhile
      return;
    }
    this.batches++;
    this.batchedCommands += batch!.length;
    runBatch(conn, channel, batch!, marker, this.hostName, {
      requeue: (ms) => this.requeue(ms),
      onSplit: () => {
        this.splits++;
      },
    });
  }

  private fail(m: Member, err: Error): void {
    if (m.done) return;
    m.done = true;
    m.reject(err);
  }
}
