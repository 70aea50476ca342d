import { HwqualError } from '../model/errors.ts';

/** The reason a case's signal aborts with once the case has ended (made once: a DOMException per case costs). */
const CASE_ENDED = new HwqualError('E_CANCELLED', 'the case ended');

/**
 * What stops a running case: its timeout, or the run's cancellation. Either fires the case's AbortSignal (what
 * commands and VM drivers listen to) and settles the race with run(). The run's cancellation reaches the case
 * through `cancellers`, a set the scheduler calls once; the race listens through a plain callback. A run of 60,000
 * cases spent seconds in AbortSignal.any, event listeners and abort events per case otherwise.
 */
export class CaseStop {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly cancel = (reason: unknown) => this.stop(reason);
  private onStop?: (reason: unknown) => void;
  private readonly unlisten: () => void;
  stopped = false;
  timedOut = false;
  reason: unknown;

  constructor(timeoutSec: number, runSignal: AbortSignal, cancellers?: Set<(reason: unknown) => void>) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.stop(new HwqualError('E_TIMEOUT', `timed out after ${timeoutSec} s`));
    }, timeoutSec * 1000);
    if (cancellers) {
      cancellers.add(this.cancel);
      this.unlisten = () => cancellers.delete(this.cancel);
    } else {
      const onAbort = () => this.stop(runSignal.reason);
      runSignal.addEventListener('abort', onAbort, { once: true });
      this.unlisten = () => runSignal.removeEventListener('abort', onAbort);
    }
    if (runSignal.aborted) this.stop(runSignal.reason);
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
      const onStop = (reason: unknown) => {
        const grace = setTimeout(() => reject(reason), graceMs);
        const settle = () => {
          clearTimeout(grace);
          reject(reason);
        };
        p.then(settle, settle);
      };
      if (this.stopped) onStop(this.reason);
      else this.onStop = onStop;
      p.then(
        (v) => { if (!this.stopped) { this.onStop = undefined; resolve(v); } },
        (e) => { if (!this.stopped) { this.onStop = undefined; reject(e); } },
      );
    });
  }

  /**
   * The case is over: its timer and run listener go. Its signal fires (stopping whatever the case left running)
   * when something may still listen to it: a command in flight, or a signal the case took for itself.
   */
  end(mayListen: boolean): void {
    clearTimeout(this.timer);
    this.unlisten();
    this.onStop = undefined;
    if (!this.stopped && mayListen) this.controller.abort(CASE_ENDED);
    this.stopped = true;
  }
}
