import type { Duplex } from 'node:stream';
import { HwqualError } from '../model/errors.ts';
import { readJsonLines } from './json-lines.ts';
import { poll } from '../util/poll.ts';
import { abortable } from '../util/wait.ts';

type Opts = { timeoutMs?: number; signal?: AbortSignal };

export interface GuestExecResult {
  exitCode: number | null;
  signal?: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/**
 * qemu-guest-agent over its virtio-serial socket: newline-separated JSON, one request at a time, no ids.
 * `guest-sync` with a random id first (its answer also flushes stale replies from an earlier client).
 */
export class GuestAgentClient {
  private readonly replies: Array<Record<string, unknown>> = [];
  private readonly waiters = new Set<() => void>();
  /** Bumped per request: a reader left over from a timed-out request stops instead of taking the next reply. */
  private generation = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private synced = false;

  constructor(
    private readonly stream: Duplex,
    readonly host?: string,
  ) {
    const wake = () => {
      for (const w of [...this.waiters]) w();
    };
    readJsonLines(stream, (msg) => {
      this.replies.push(msg);
      wake();
    });
    stream.once('close', () => {
      this.closed = true;
      wake();
    });
    stream.on('error', () => {
      this.closed = true;
      wake();
    });
  }

  /** Send guest-sync until the agent answers our id (it is not listening until the guest has booted it). */
  async sync(options: Opts = {}): Promise<void> {
    const id = Math.floor(Math.random() * 2 ** 31);
    const ret = await this.request('guest-sync', { id }, options, (r) => r === id);
    if (ret !== id)
      throw new HwqualError('E_VM', `guest-sync answered ${JSON.stringify(ret)}, expected ${id}`, { host: this.host });
    this.synced = true;
  }

  /** Retry guest-sync until the agent in the guest answers (readiness through the guest agent). */
  async waitUntilReady(options: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
    let last: unknown;
    const synced = async () => {
      try {
        await this.sync({ timeoutMs: 2_000, signal: options.signal });
        return true;
      } catch (err) {
        if (options.signal?.aborted || this.closed) throw err;
        last = err;
        return undefined;
      }
    };
    if (!(await poll(synced, { timeoutMs: options.timeoutMs, everyMs: 0 })))
      throw new HwqualError('E_TIMEOUT', `guest agent did not answer within ${options.timeoutMs} ms`, {
        host: this.host,
        cause: last,
      });
  }

  async execute<T = unknown>(command: string, args?: Record<string, unknown>, options: Opts = {}): Promise<T> {
    if (!this.synced) await this.sync(options);
    return this.request(command, args, options) as Promise<T>;
  }

  ping(o?: Opts) {
    return this.execute<Record<string, never>>('guest-ping', undefined, o);
  }
  info(o?: Opts) {
    return this.execute<{ version: string; supported_commands: Array<{ name: string; enabled: boolean }> }>(
      'guest-info',
      undefined,
      o,
    );
  }

  /** Run a program in the guest and wait for it (guest-exec + guest-exec-status polling). */
  async exec(path: string, args: string[] = [], options: Opts & { input?: string } = {}): Promise<GuestExecResult> {
    const t0 = performance.now();
    const req: Record<string, unknown> = { path, arg: args, 'capture-output': true };
    if (options.input !== undefined) req['input-data'] = Buffer.from(options.input).toString('base64');
    const { pid } = await this.execute<{ pid: number }>('guest-exec', req, options);
    const exited = async (): Promise<GuestExecResult | undefined> => {
      const s = await this.execute<Record<string, unknown>>('guest-exec-status', { pid }, options);
      if (!s.exited) return undefined;
      return {
        exitCode: typeof s.exitcode === 'number' ? s.exitcode : null,
        signal: typeof s.signal === 'number' ? s.signal : undefined,
        stdout: decode(s['out-data']),
        stderr: decode(s['err-data']),
        durationMs: performance.now() - t0,
      };
    };
    const result = await poll(exited, { timeoutMs: options.timeoutMs ?? 60_000, everyMs: 100 });
    if (result) return result;
    throw new HwqualError(
      'E_TIMEOUT',
      `guest-exec ${path} (pid ${pid}) still running after ${options.timeoutMs ?? 60_000} ms`,
      { host: this.host },
    );
  }

  close(): void {
    this.closed = true;
    this.stream.destroy();
  }

  /** One request at a time; replies that do not pass `accept` (stale guest-sync answers) are skipped. */
  private request(
    command: string,
    args: Record<string, unknown> | undefined,
    options: Opts,
    accept?: (ret: unknown) => boolean,
  ): Promise<unknown> {
    const run = async () => {
      const gen = ++this.generation;
      this.stream.write(`${JSON.stringify(args ? { execute: command, arguments: args } : { execute: command })}\n`);
      for (;;) {
        const msg = await this.nextReply(gen);
        if ('error' in msg) {
          const e = msg.error as { class?: string; desc?: string };
          throw new HwqualError('E_VM', `guest agent ${command}: ${e.class ?? 'Error'}: ${e.desc ?? ''}`, {
            host: this.host,
          });
        }
        if (!accept || accept(msg.return)) return msg.return;
      }
    };
    const p = this.queue.then(() =>
      abortable(run(), {
        timeoutMs: options.timeoutMs ?? 10_000,
        signal: options.signal,
        what: `guest agent ${command}`,
        host: this.host,
      }),
    );
    this.queue = p.catch(() => {
      this.synced = false;
    }); // a late reply may still come: re-sync first
    return p;
  }

  private async nextReply(gen: number): Promise<Record<string, unknown>> {
    for (;;) {
      if (gen !== this.generation) throw new HwqualError('E_VM', 'guest agent: stale reader', { host: this.host });
      const msg = this.replies.shift();
      if (msg) return msg;
      if (this.closed) throw new HwqualError('E_VM', 'guest agent connection closed', { host: this.host });
      await new Promise<void>((r) => {
        const w = () => {
          this.waiters.delete(w);
          r();
        };
        this.waiters.add(w);
      });
    }
  }
}

function decode(data: unknown): string {
  return typeof data === 'string' ? Buffer.from(data, 'base64').toString('utf8') : '';
}
