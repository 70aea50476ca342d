import { getEventListeners } from 'node:events';
import { HwqualError } from '../model/errors.ts';

/** The reason a case's signal aborts with once the case has ended (made once: a DOMException per case costs). */
const CASE_ENDED = new HwqualError('E_CANCELLED', 'the case ended');

/**
 * Controllers of cases that ended with their signal never aborted and nothing listening, for the next cases: each
 * AbortSignal Node makes outlives its case in the young generation and is promoted (measured: ~200 bytes of
 * old-generation garbage a case, 60 MiB for 300,000 cases, even run one after another), so a large run reuses a
 * few dozen instead of making one per case.
 */
const idle: AbortController[] = [];
const IDLE_MAX = 256;

/** What the scheduler calls on each running case when the run is cancelled. */
export interface RunCanceller {
  cancel(reason: unknown): void;
}

/**
 * What stops a running case: its timeout, or the run's cancellation. Either fires the case's AbortSignal (what
 * commands and VM drivers listen to) and settles the race with run(). The run's cancellation reaches the case
 * through `cancellers`, a set the scheduler calls once; the race listens through a plain callback. A run of 60,000
 * cases spent seconds in AbortSignal.any, event listeners and abort events per case otherwise.
 */
export class CaseStop implements RunCanceller {
  private readonly controller = idle.pop() ?? new AbortController();
  private readonly timer: NodeJS.Timeout;
  private onStop?: (reason: unknown) => void;
  private runListener?: () => void;
  stopped = false;
  timedOut = false;
  reason: unknown;

  constructor(
    private readonly timeoutSec: number,
    private readonly runSignal: AbortSignal,
    private readonly cancellers?: Set<RunCanceller>,
  ) {
    this.timer = setTimeout(() => this.expire(), timeoutSec * 1000);
    if (cancellers) cancellers.add(this);
    else {
      this.runListener = () => this.cancel(runSignal.reason);
      runSignal.addEventListener('abort', this.runListener, { once: true });
    }
    if (runSignal.aborted) this.cancel(runSignal.reason);
  }

  /** The run was cancelled. */
  cancel(reason: unknown): void {
    this.stop(reason);
  }

  private expire(): void {
    this.timedOut = true;
    this.stop(new HwqualError('E_TIMEOUT', `timed out after ${this.timeoutSec} s`));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  private stop(reason: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.reason = reason;
    this.controller.abort(reason);
    this.onStop?.(reason);
  }

  /**
   * Resolve with run()'s value, or reject with the stop's reason once the case is stopped: run() gets `graceMs` to
   * unwind by itself (its commands are killed through the signal), then it is abandoned.
   */
  race<T>(p: Promise<T>, graceMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.stopped) abandon(p, this.reason, graceMs, reject);
      else this.onStop = (reason) => abandon(p, reason, graceMs, reject);
      p.then(
        (v) => {
          if (!this.stopped) {
            this.onStop = undefined;
            resolve(v);
          }
        },
        (e) => {
          if (!this.stopped) {
            this.onStop = undefined;
            reject(e);
          }
        },
      );
    });
  }

  /**
   * The case is over: its timer and run listener go. Its signal fires (stopping whatever the case left running)
   * when something may still listen to it: a command in flight, or a signal the case took for itself.
   */
  end(mayListen: boolean): void {
    clearTimeout(this.timer);
    this.cancellers?.delete(this);
    if (this.runListener) this.runSignal.removeEventListener('abort', this.runListener);
    this.onStop = undefined;
    if (!this.stopped && mayListen) this.controller.abort(CASE_ENDED);
    else if (!this.stopped && idle.length < IDLE_MAX && !getEventListeners(this.controller.signal, 'abort').length)
      idle.push(this.controller);
    this.stopped = true;
  }
}

/** Once stopped: reject with the reason when run() settles, or after the grace period if it does not. */
function abandon(p: Promise<unknown>, reason: unknown, graceMs: number, reject: (reason: unknown) => void): void {
  const grace = setTimeout(() => reject(reason), graceMs);
  p.then(
    () => {
      clearTimeout(grace);
      reject(reason);
    },
    () => {
      clearTimeout(grace);
      reject(reason);
    },
  );
}
