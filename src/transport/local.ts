import { open, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { HwqualError } from '../model/errors.ts';
import { registerEmergencyCleanup } from '../util/emergency.ts';
import type { ExecOptions, ExecResult } from '../model/exec.ts';
import { CommandError, commandErrorCode } from './command-error.ts';
import type { FileOptions, Transport } from './types.ts';

/** This machine, through execa. Each command runs in its own process group so a timeout kills all of it. */
export class LocalTransport implements Transport {
  readonly kind = 'local' as const;
  constructor(readonly host: string) {}

  async connect(): Promise<void> {}

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const startedAt = new Date();
    const t0 = performance.now();
    // Loaded on first use (cached after): a run over SSH alone never pays start-up time for execa's ~150 modules.
    const { execa } = await import('execa');
    if (options.signal?.aborted) throw cancelledError(this.host, command, startedAt);
    const child = execa('sh', ['-c', command], {
      reject: false,
      detached: true, // own process group: kill(-pid) reaches grandchildren
      input: options.stdin,
      stdin: options.stdin === undefined ? 'ignore' : undefined,
      stripFinalNewline: false,
      encoding: 'utf8',
      env: { LC_ALL: 'C' },
    });
    if (options.onStdout) child.stdout?.on('data', (d: string) => options.onStdout!(String(d)));
    let timedOut = false;
    let cancelled = false;
    const killGroup = () => {
      if (child.pid) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    };
    const unregister = registerEmergencyCleanup(killGroup);
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          killGroup();
        }, options.timeoutMs)
      : undefined;
    const onAbort = () => {
      cancelled = true;
      killGroup();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const r = await child;
      const result: ExecResult = {
        host: this.host,
        command,
        exitCode: timedOut || cancelled ? null : (r.exitCode ?? null),
        signal: r.signal ?? null,
        stdout: String(r.stdout ?? ''),
        stderr: String(r.stderr ?? ''),
        startedAt: startedAt.toISOString(),
        durationMs: performance.now() - t0,
        timedOut,
        cancelled,
      };
      if (timedOut || cancelled) throw new CommandError(commandErrorCode(result), result);
      return result;
    } finally {
      unregister();
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  async readFile(path: string, options: FileOptions = {}): Promise<Buffer> {
    try {
      if (!options.range) return await readFile(path);
      const fh = await open(path, 'r');
      try {
        const buf = Buffer.alloc(options.range.length);
        const { bytesRead } = await fh.read(buf, 0, buf.length, options.range.offset);
        return buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    } catch (err) {
      throw new HwqualError('E_COMMAND', `read ${path} on ${this.host}: ${(err as Error).message}`, {
        host: this.host,
        cause: err,
      });
    }
  }

  async writeFile(path: string, data: string | Buffer, options: FileOptions = {}): Promise<void> {
    await writeFile(path, data, { mode: options.mode });
  }

  forwardUnixSocket(path: string, options: FileOptions = {}): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const sock = connect(path);
      const timer = options.timeoutMs
        ? setTimeout(() => {
            sock.destroy();
            reject(new HwqualError('E_TIMEOUT', `connect ${path} on ${this.host}: timed out`, { host: this.host }));
          }, options.timeoutMs)
        : undefined;
      sock.once('connect', () => {
        if (timer) clearTimeout(timer);
        resolve(sock);
      });
      sock.once('error', (err) => {
        if (timer) clearTimeout(timer);
        reject(
          new HwqualError('E_VM', `connect ${path} on ${this.host}: ${err.message}`, { host: this.host, cause: err }),
        );
      });
    });
  }

  async close(): Promise<void> {}
}

function cancelledError(host: string, command: string, startedAt: Date): CommandError {
  return new CommandError('E_CANCELLED', {
    host,
    command,
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    startedAt: startedAt.toISOString(),
    durationMs: 0,
    timedOut: false,
    cancelled: true,
  });
}
