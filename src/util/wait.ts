import { HwqualError } from '../model/errors.ts';

export interface AbortableOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Words for the error message: `<what> timed out after Nms`. */
  what: string;
  host?: string;
  /** Called when the wait ends by timeout or cancel (e.g. forget a pending request). */
  onGiveUp?: () => void;
}

/** A promise raced against a timeout (E_TIMEOUT) and an AbortSignal (E_CANCELLED). */
export function abortable<T>(promise: Promise<T>, options: AbortableOptions): Promise<T> {
  const { timeoutMs, signal, what, host } = options;
  if (signal?.aborted) {
    options.onGiveUp?.();
    promise.catch(() => {});
    return Promise.reject(new HwqualError('E_CANCELLED', `${what}: cancelled`, { host }));
  }
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const giveUp = (err: Error) => {
      done();
      options.onGiveUp?.();
      reject(err);
    };
    const onAbort = () => giveUp(new HwqualError('E_CANCELLED', `${what}: cancelled`, { host }));
    if (timeoutMs !== undefined && timeoutMs > 0) {
      timer = setTimeout(
        () => giveUp(new HwqualError('E_TIMEOUT', `${what} timed out after ${timeoutMs} ms`, { host })),
        timeoutMs,
      );
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        done();
        resolve(v);
      },
      (e: unknown) => {
        done();
        reject(e);
      },
    );
  });
}

/** Sleep that ends early (rejecting E_CANCELLED) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return abortable(new Promise<void>((r) => setTimeout(r, ms)), { signal, what: 'wait' });
}
