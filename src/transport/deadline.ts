/**
 * The stop conditions of one call: its timeout and the caller's AbortSignal, merged into one internal signal.
 * `reason` says which fired first. Always dispose() when the call ends.
 */
export class Deadline {
  reason: 'timeout' | 'cancel' | null = null;
  private readonly controller = new AbortController();
  private timer?: ReturnType<typeof setTimeout>;
  private disposed = false;
  private readonly outer?: AbortSignal;
  private readonly onOuterAbort = () => this.stop('cancel');

  constructor(options: { timeoutMs?: number; signal?: AbortSignal }) {
    this.outer = options.signal;
    if (this.outer?.aborted) this.stop('cancel');
    else this.outer?.addEventListener('abort', this.onOuterAbort, { once: true });
    this.startTimeout(options.timeoutMs);
  }

  /**
   * Start the timeout now. The constructor does so for a `timeoutMs` it is given; a call whose timeout counts from a
   * later start (a batched command, from when it starts on the host) constructs without one and calls this then.
   */
  startTimeout(timeoutMs: number | undefined): void {
    if (!timeoutMs || this.reason || this.timer || this.disposed) return;
    this.timer = setTimeout(() => this.stop('timeout'), timeoutMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True for the rejection our own signal produced (so callers can tell it from a real fault). */
  isStop(err: unknown): boolean {
    return this.reason !== null && err === this.controller.signal.reason;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  }

  private stop(reason: 'timeout' | 'cancel'): void {
    if (this.reason) return;
    this.reason = reason;
    this.controller.abort(new Error(reason === 'timeout' ? 'timed out' : 'cancelled'));
  }
}

/** Wait for p, or reject with the signal's reason when it aborts first (p itself carries on). */
export function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
