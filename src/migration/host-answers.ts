import type { Transport } from '../transport/types.ts';
import { sleep } from '../util/wait.ts';

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
  const deadline = Date.now() + o.waitMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    const tried = Date.now();
    if (await hostAnswers(t, Math.min(o.probeMs ?? 5000, Math.max(1000, left)), o.signal)) return Date.now();
    await sleep(Math.max(0, Math.min((o.everyMs ?? 1000) - (Date.now() - tried), deadline - Date.now())), o.signal);
  }
}
