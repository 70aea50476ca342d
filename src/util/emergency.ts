/**
 * Last-resort cleanups for a second SIGINT/SIGTERM: things that must die even when graceful teardown is skipped
 * (process groups the run started, VMs, labs). Each entry is synchronous-safe and idempotent; owners remove their
 * entry when they cleaned up normally.
 */
const entries = new Map<number, () => unknown>();
let next = 1;

export function registerEmergencyCleanup(fn: () => unknown): () => void {
  const id = next++;
  entries.set(id, fn);
  return () => entries.delete(id);
}

/** Run every registered cleanup (best effort, in reverse registration order), waiting at most timeoutMs. */
export async function runEmergencyCleanups(timeoutMs = 3000): Promise<void> {
  const fns = [...entries.values()].reverse();
  entries.clear();
  await Promise.race([
    Promise.allSettled(fns.map(async (fn) => fn())),
    new Promise((r) => setTimeout(r, timeoutMs).unref()),
  ]);
}
