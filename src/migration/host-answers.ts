import type { Transport } from '../transport/types.ts';
import { poll } from '../util/poll.ts';

/** Whether the host runs a command for us within timeoutMs (a cut link, a dead sshd: false). Rethrows a cancel. */
export async function hostAnswers(t: Transport, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  try {
    const r = await t.exec('true', { timeoutMs, signal });
    return r.exitCode === 0;
  } catch (err) {
    if (signal?.aborted) throw err;
    return false;
  }
}

/**
 * Ask the host every `everyMs` (each try bounded by `probeMs`) until it answers or `waitMs` has passed.
 * Returns when it answered (epoch ms), or undefined.
 */
export async function waitForHost(
  t: Transport,
  o: { waitMs: number; probeMs?: number; everyMs?: number; signal?: AbortSignal },
): Promise<number | undefined> {
  if (o.waitMs <= 0) return undefined;
  const answered = async (left: number) =>
    (await hostAnswers(t, Math.min(o.probeMs ?? 5000, Math.max(1000, left)), o.signal)) ? Date.now() : undefined;
  return poll(answered, { timeoutMs: o.waitMs, everyMs: o.everyMs ?? 1000, signal: o.signal });
}
