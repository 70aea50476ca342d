import { poll } from '../../src/util/poll.ts';

/** Poll until check() is truthy (tests only; no timing assertions — the deadline only stops a hung test). */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 30_000): Promise<T> {
  const v = await poll(async () => (await check()) || undefined, { timeoutMs, everyMs: 50 });
  if (!v) throw new Error(`gave up waiting for ${what}`);
  return v;
}
