import type { SFTPWrapper } from 'ssh2';
import type ssh2 from 'ssh2';
import type { HostConnection } from '../config/host-connection.ts';
import { HwqualError } from '../model/errors.ts';
import { ChannelLimiter, type Release } from './channel-limiter.ts';
import { lostError, where, type Ssh2Error } from './ssh-errors.ts';

/** Retries of a refused session channel: 10, 20, 40, 80, 160, 320 ms. */
const OPEN_RETRIES = 6;

interface Closable {
  once(event: 'close', listener: () => void): unknown;
}

/**
 * One live SSH connection to one host: the ssh2 Client, its channel limiter, and the knowledge of whether it is
 * still up. When it drops, `lost` holds the reason and every onLost listener is told once.
 */
export class SshConnection {
  readonly limiter: ChannelLimiter;
  /** One extra channel kept for `kill` of a timed-out command, so a full limiter cannot block the kill. */
  readonly reserve = new ChannelLimiter(1);
  lost: HwqualError | null = null;
  private readonly listeners = new Set<(err: HwqualError) => void>();
  private sftpSession: Promise<SFTPWrapper> | null = null;
  private lastError: Ssh2Error | undefined;
  /** Session channels sshd refused at first and we opened on a retry (a stat for tests and the bench). */
  openRetries = 0;

  constructor(
    readonly client: ssh2.Client,
    readonly host: HostConnection,
  ) {
    this.limiter = new ChannelLimiter(host.ssh.maxChannels);
    client.on('error', (err: Ssh2Error) => {
      this.lastError = err;
    });
    client.on('end', () => this.markLost());
    client.on('close', () => this.markLost());
  }

  /** Call fn once when the connection drops (at once if it already has); returns an unsubscribe. */
  onLost(fn: (err: HwqualError) => void): () => void {
    if (this.lost) {
      fn(this.lost);
      return () => {};
    }
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  markLost(err?: HwqualError): void {
    if (this.lost) return;
    this.lost = err ?? lostError(this.host, this.lastError);
    for (const fn of [...this.listeners]) fn(this.lost);
    this.listeners.clear();
  }

  /** The connection's one SFTP session, opened on first use; it holds a channel slot while open. */
  sftp(signal?: AbortSignal): Promise<SFTPWrapper> {
    if (this.lost) return Promise.reject(this.lost);
    if (!this.sftpSession) {
      const opening = this.openSftp(signal);
      this.sftpSession = opening;
      opening.catch(() => {
        if (this.sftpSession === opening) this.sftpSession = null;
      });
    }
    return this.sftpSession;
  }

  private async openSftp(signal?: AbortSignal): Promise<SFTPWrapper> {
    const sftp = await this.channel<SFTPWrapper>((cb) => this.client.sftp(cb as never), 'sftp', {
      signal,
      session: true,
    });
    sftp.once('close', () => {
      this.sftpSession = null;
    });
    return sftp;
  }

  /**
   * Open a channel with one slot held until the channel closes. A session channel (exec, sftp) refused with
   * "open failed" is retried a few times: sshd frees a closed session only on its next loop, so a channel opened
   * right after another closed can still count against MaxSessions.
   */
  async channel<T extends Closable>(
    open: (cb: (err: Error | undefined, ch: T) => void) => void,
    what: string,
    opts: { signal?: AbortSignal; limiter?: ChannelLimiter; session?: boolean } = {},
  ): Promise<T> {
    if (this.lost) throw this.lost;
    const release: Release = await (opts.limiter ?? this.limiter).acquire(opts.signal);
    if (this.lost) {
      release();
      throw this.lost;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const ch = await openUntilAborted(open, opts.signal);
        ch.once('close', release);
        return ch;
      } catch (err) {
        if (opts.signal?.aborted && err === opts.signal.reason) {
          release();
          throw err; // the caller's timeout or cancel, recognised as such by its Deadline
        }
        const refused = opts.session && /open failed/.test((err as Error).message) && attempt < OPEN_RETRIES;
        if (!refused || this.lost || opts.signal?.aborted) {
          release();
          throw (
            this.lost ??
            new HwqualError('E_CHANNEL', `${what} on ${where(this.host)}: ${(err as Error).message}`, {
              host: this.host.name,
              cause: err,
            })
          );
        }
        this.openRetries++;
        await new Promise((r) => setTimeout(r, 10 * 2 ** attempt));
      }
    }
  }

  /** End the connection and wait (up to 2 s) for the socket to close. */
  async end(): Promise<void> {
    if (this.lost) return;
    const closed = new Promise<void>((resolve) => this.onLost(() => resolve()));
    this.lastError = Object.assign(new Error('closed by hwqual'), { level: 'local' });
    this.client.end();
    const timer = setTimeout(() => this.client.destroy(), 2000);
    await closed;
    clearTimeout(timer);
  }
}

/**
 * Wait for a channel open, or for the caller's signal. On a dead link with a connection that is not yet declared
 * lost (keepalives still pending), sshd's confirmation never comes: without this, a call's timeout would not fire
 * until the keepalives gave up (~20 s with the defaults). A channel confirmed after the caller gave up is closed.
 */
function openUntilAborted<T extends Closable>(
  open: (cb: (err: Error | undefined, ch: T) => void) => void,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    open((err, c) => {
      signal?.removeEventListener('abort', onAbort);
      if (err) return reject(err);
      if (signal?.aborted) {
        const late = c as unknown as { close?: () => void; end?: () => void };
        if (late.close) late.close();
        else late.end?.();
        return reject(signal.reason);
      }
      resolve(c);
    });
  });
}
