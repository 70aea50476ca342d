import { sleep } from './wait.ts';

export interface PollOptions {
  /** Stop asking after this long (ms). */
  timeoutMs: number;
  /** Start an attempt at most this often (ms, default 100): a quick attempt is followed by a pause, a slow one not. */
  everyMs?: number;
  /** Cancels the pause between attempts (rejects with E_CANCELLED, as sleep does). */
  signal?: AbortSignal;
}

/**
 * Ask `attempt` until it answers — returns anything but undefined — or the time is up: then undefined, and the
 * caller says what timing out means (an error naming what it waited for, `false`, the last reading). There is
 * always at least one attempt; it is told how long is left (to bound its own waits), and it throws to stop at once.
 * The one poll loop of hwqual: waiting for a lock, a socket, a guest, a QMP status, a host that answers again.
 */
export async function poll<T>(
  attempt: (leftMs: number) => T | undefined | Promise<T | undefined>,
  o: PollOptions,
): Promise<T | undefined> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const started = Date.now();
    const answer = await attempt(Math.max(0, deadline - started));
    if (answer !== undefined) return answer;
    const now = Date.now();
    if (now >= deadline) return undefined;
    await sleep(Math.max(0, Math.min((o.everyMs ?? 100) - (now - started), deadline - now)), o.signal);
  }
}

/** Run `attempt` until it succeeds; once the time is up, its last error. A cancel (the signal) stops it at once. */
export async function retry<T>(attempt: () => Promise<T>, o: PollOptions): Promise<T> {
  let last: unknown;
  const done = await poll(async () => {
    try {
      return { value: await attempt() };
    } catch (err) {
      if (o.signal?.aborted) throw err;
      last = err;
      return undefined;
    }
  }, o);
  if (!done) throw last;
  return done.value;
}

/** Whether `condition` comes to hold before the time is up (looked at every `everyMs`). */
export async function eventually(condition: () => boolean | Promise<boolean>, o: PollOptions): Promise<boolean> {
  return (await poll(async () => (await condition()) || undefined, o)) ?? false;
}
