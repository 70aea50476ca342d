import { open, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import type { Duplex } from 'node:stream';
import { HwqualError } from '../model/errors.ts';
import type { ExecOptions, ExecResult } from '../model/exec.ts';
import { needsRootError, runAs } from './become.ts';
import { execLocal } from './local-exec.ts';
import { SBIN_DIRS } from './shell.ts';
import type { FileOptions, Transport } from './types.ts';

/** This machine, through execa. Each command runs in its own process group so a timeout kills all of it. */
export class LocalTransport implements Transport {
  readonly kind = 'local' as const;
  /** This process's user: commands run as it (no `become` for `local`: run hwqual as the user they need). */
  readonly user = userInfo().username;
  constructor(readonly host: string) {}

  async connect(): Promise<void> {}

  /**
   * `sh -c` in a process group of its own, so a timeout or a cancel kills all of it (src/transport/local-exec.ts);
   * sbin on the PATH as over SSH. A command that needs root is refused when hwqual does not run as root.
   */
  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    if (runAs(options.root, process.getuid?.() === 0, undefined) === 'refused')
      throw needsRootError(this.host, command);
    return execLocal('sh', ['-c', command], {
      env: { PATH: `${process.env.PATH ?? '/usr/bin:/bin'}:${SBIN_DIRS}` },
      host: this.host,
      command,
      stdin: options.stdin,
      onStdout: options.onStdout,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      keepFinalNewline: true,
      ownProcessGroup: true,
    });
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
