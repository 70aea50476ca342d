import type { Duplex } from 'node:stream';
import type { Become, HostConnection } from '../config/host-connection.ts';
import { HwqualError } from '../model/errors.ts';
import type { ExecOptions, ExecResult } from '../model/exec.ts';
import { needsRootError, runAs } from './become.ts';
import { CommandError } from './command-error.ts';
import { abortable, Deadline } from './deadline.ts';
import { remoteProcesses } from './remote-processes.ts';
import { openConnection, type SshConnection } from './ssh-connect.ts';
import { where } from './ssh-errors.ts';
import { batchingEnabled, SshBatcher } from './ssh-batch.ts';
import { execOnConnection, shellQuote } from './ssh-exec.ts';
import { openUnixSocket, sftpReadFile, sftpWriteFile } from './ssh-files.ts';
import type { FileOptions, Transport } from './types.ts';

/** How long close() waits for the kill of commands still running on the host. */
const CLOSE_KILL_MS = 3000;

/** The host to hop through, and what to do with it when this transport closes. */
export interface JumpLink {
  transport: SshTransport;
  release(): Promise<void>;
}

/**
 * A lab host over SSH: ONE connection for the whole run (opened lazily, shared by concurrent callers, reopened
 * once on the next call after a drop), commands and files as channels on it, at most host.ssh.maxChannels at once.
 */
export class SshTransport implements Transport {
  readonly kind = 'ssh' as const;
  readonly host: string;
  readonly user: string;
  readonly become?: Become;
  /** TCP connections (or jump streams) made to the host so far: 1 for a whole healthy run. */
  connectionsOpened = 0;
  private current: SshConnection | null = null;
  private pastOpenRetries = 0;
  private connecting: Promise<SshConnection> | null = null;
  private everConnected = false;
  private closed = false;
  private rootLogin: Promise<boolean> | null = null;
  /** Read-only commands issued together share one channel (ssh-batch.ts); null with HWQUAL_SSH_BATCH=0. */
  readonly batcher: SshBatcher | null;

  constructor(
    readonly config: HostConnection,
    private readonly jump?: JumpLink,
  ) {
    this.host = config.name;
    this.user = config.user;
    this.become = config.become;
    this.batcher = batchingEnabled() ? new SshBatcher(this.host, () => this.connection()) : null;
  }

  /** Session channels that sshd refused at first (MaxSessions lag) and that opened on a retry. */
  get channelOpenRetries(): number {
    return this.pastOpenRetries + (this.current?.openRetries ?? 0);
  }

  async connect(signal?: AbortSignal): Promise<void> {
    await this.connection(signal);
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const needsRoot = options.root !== undefined && options.root !== 'no';
    const how = needsRoot ? runAs(options.root, await this.loginIsRoot(), this.become) : 'login';
    if (how === 'refused') throw needsRootError(this.host, command);
    // Through sudo: a channel of its own (its kill goes through sudo too).
    if (how === 'login' && this.batcher && options.readOnly && options.stdin === undefined)
      return this.batcher.exec(command, options);
    const become = how === 'become' && this.become ? { ...this.become, login: this.user } : undefined;
    const startedAt = new Date();
    const t0 = performance.now();
    const deadline = new Deadline(options);
    try {
      const conn = await this.connection(deadline.signal);
      return await execOnConnection(conn, {
        command,
        stdin: options.stdin,
        onStdout: options.onStdout,
        deadline,
        startedAt,
        t0,
        become,
      });
    } catch (err) {
      if (!deadline.isStop(err)) throw err;
      throw new CommandError(deadline.reason === 'timeout' ? 'E_TIMEOUT' : 'E_CANCELLED', {
        host: this.host,
        command,
        exitCode: null,
        signal: null,
        stdout: '',
        stderr: '',
        startedAt: startedAt.toISOString(),
        durationMs: performance.now() - t0,
        timedOut: deadline.reason === 'timeout',
        cancelled: deadline.reason === 'cancel',
      });
    } finally {
      deadline.dispose();
    }
  }

  /**
   * Whether the login is root: user `root`, or uid 0 (asked once, with the first command that needs root). Not
   * answered (a lost connection): that error, and the next command asks again.
   */
  private loginIsRoot(): Promise<boolean> {
    if (this.user === 'root') return Promise.resolve(true);
    this.rootLogin ??= this.exec('id -u', { readOnly: true, timeoutMs: 20_000 }).then(
      (r) => r.exitCode === 0 && r.stdout.trim() === '0',
      (err: unknown) => {
        this.rootLogin = null;
        throw err;
      },
    );
    return this.rootLogin;
  }

  readFile(path: string, options: FileOptions = {}): Promise<Buffer> {
    if (options.range) return this.readRange(path, options.range, options);
    return this.withDeadline(`read ${path}`, options, (conn, signal) => sftpReadFile(conn, path, signal));
  }

  /** A byte range as one read-only command (batched with the host's other read-only commands), not an SFTP session. */
  private async readRange(
    path: string,
    range: { offset: number; length: number },
    options: FileOptions,
  ): Promise<Buffer> {
    const p = shellQuote(path);
    const r = await this.exec(
      `if [ -r ${p} ]; then tail -c +${range.offset + 1} ${p} | head -c ${range.length} | base64 -w0; ` +
        `else echo 'not readable' >&2; exit 1; fi`,
      { readOnly: true, signal: options.signal, timeoutMs: options.timeoutMs ?? 30_000 },
    );
    if (r.exitCode !== 0)
      throw new HwqualError('E_COMMAND', `read ${path} on ${this.host}: ${r.stderr.trim() || `exit ${r.exitCode}`}`, {
        host: this.host,
      });
    return Buffer.from(r.stdout.trim(), 'base64');
  }

  writeFile(path: string, data: string | Buffer, options: FileOptions = {}): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    return this.withDeadline(`write ${path}`, options, (conn, signal) =>
      sftpWriteFile(conn, path, bytes, options.mode, signal),
    );
  }

  forwardUnixSocket(path: string, options: FileOptions = {}): Promise<Duplex> {
    return this.withDeadline(`connect ${path}`, options, (conn, signal) => openUnixSocket(conn, path, signal));
  }

  /** A TCP stream from this host to dstHost:dstPort (how a jumped host is reached); holds a slot until closed. */
  async forwardTcp(dstHost: string, dstPort: number, signal?: AbortSignal): Promise<Duplex> {
    const conn = await this.connection(signal);
    return conn.channel<Duplex>(
      (cb) => conn.client.forwardOut('127.0.0.1', 0, dstHost, dstPort, cb as never),
      `forward to ${dstHost}:${dstPort}`,
      { signal },
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.connecting?.catch(() => {});
    // A command still running here (one a case started without its signal, or left behind) must not outlive the
    // run: as root it would survive the channel closing.
    if (this.current) await remoteProcesses.killOn(this.current, CLOSE_KILL_MS);
    await this.current?.end();
    this.current = null;
    await this.jump?.release();
  }

  private connection(signal?: AbortSignal): Promise<SshConnection> {
    if (this.closed)
      return Promise.reject(
        new HwqualError('E_INTERNAL', `${this.host}: transport used after close()`, { host: this.host }),
      );
    if (this.current && !this.current.lost) return Promise.resolve(this.current);
    if (!this.connecting) {
      this.connecting = this.open().finally(() => {
        this.connecting = null;
      });
    }
    return abortable(this.connecting, signal);
  }

  private async open(): Promise<SshConnection> {
    const reconnect = this.everConnected;
    const sock = this.jump ? await this.viaJump() : undefined;
    const conn = await openConnection(this.config, {
      sock,
      reconnect,
      onSocket: () => {
        this.connectionsOpened++;
      },
    });
    this.everConnected = true;
    if (this.closed) {
      await conn.end();
      throw new HwqualError('E_INTERNAL', `${this.host}: transport closed while connecting`, { host: this.host });
    }
    this.pastOpenRetries += this.current?.openRetries ?? 0;
    this.current = conn;
    return conn;
  }

  private async viaJump(): Promise<Duplex> {
    const jump = this.jump!.transport;
    try {
      return await jump.forwardTcp(this.config.address, this.config.port);
    } catch (err) {
      if (!(err instanceof HwqualError) || err.code !== 'E_CHANNEL') throw err;
      const code = this.everConnected ? 'E_CONNECTION_LOST' : 'E_HOST_UNREACHABLE';
      throw new HwqualError(
        code,
        `host unreachable: ${where(this.config)} via jump host ${jump.host}: ` +
          `${(err.cause as Error)?.message ?? err.message}`,
        { host: this.host, cause: err },
      );
    }
  }

  private async withDeadline<T>(
    what: string,
    options: FileOptions,
    fn: (conn: SshConnection, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const deadline = new Deadline(options);
    try {
      const conn = await this.connection(deadline.signal);
      return await abortable(fn(conn, deadline.signal), deadline.signal);
    } catch (err) {
      if (!deadline.isStop(err)) throw err;
      const code = deadline.reason === 'timeout' ? 'E_TIMEOUT' : 'E_CANCELLED';
      throw new HwqualError(
        code,
        `${what} on ${this.host}: ${deadline.reason === 'timeout' ? 'timed out' : 'cancelled'}`,
        { host: this.host },
      );
    } finally {
      deadline.dispose();
    }
  }
}
