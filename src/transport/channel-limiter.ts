import { HwqualError } from '../model/errors.ts';

export type Release = () => void;

/**
 * A counting semaphore for the channels open at once on one SSH connection (sshd's MaxSessions refuses more).
 * Each exec, SFTP session and forward holds one slot while open; waiters are served first come, first served.
 */
export class ChannelLimiter {
  private active = 0;
  private readonly waiters: Array<{ grant: (release: Release) => void }> = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1)
      throw new HwqualError('E_CONFIG', `ssh.maxChannels must be a positive integer, got ${max}`);
  }

  get open(): number {
    return this.active;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Wait for a free slot; the returned release is idempotent. Rejects with the signal's reason when aborted. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: (release: Release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private releaser(): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiters.shift();
      if (next)
        next.grant(this.releaser()); // the slot passes straight on: active stays the same
      else this.active--;
    };
  }
}
