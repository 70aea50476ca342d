import { runEmergencyCleanups } from '../util/emergency.ts';

export interface InterruptHandler {
  /** Remove the handlers (the command is done). */
  uninstall(): void;
  /**
   * What the forced path does after the emergency cleanups and before exit 130, at most `FORCED_FINISH_MS`: `run`
   * writes its reports from what has finished so far (the rest `cancelled`).
   */
  onForced(fn: () => Promise<void>): void;
}

/** How long the forced path gives `onForced` (the reports) after the emergency cleanups. */
export const FORCED_FINISH_MS = 3000;

/**
 * First SIGINT/SIGTERM: abort the run (cases cancelled through their AbortSignal, teardown runs, reports written).
 * Second: skip the graceful waits, run the emergency cleanups (kill the remote commands and local process groups
 * the run started, VMs, labs — each bounded in time), write the reports from what finished, exit 130. A third exits
 * at once.
 */
export function installInterruptHandler(
  controller: AbortController,
  log: (m: string) => void = (m) => process.stderr.write(`${m}\n`),
  exit: (code: number) => void = (code) => process.exit(code),
): InterruptHandler {
  let count = 0;
  let forced: (() => Promise<void>) | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      log(`hwqual: ${sig} — cancelling running cases, tearing down, writing reports (again to force)`);
      controller.abort(new Error(`interrupted by ${sig}`));
    } else if (count === 2) {
      log(`hwqual: ${sig} again — killing what the run started, writing reports, exiting (again to exit at once)`);
      void runEmergencyCleanups()
        .then(() => bounded(forced?.(), FORCED_FINISH_MS))
        .catch((err: unknown) => log(`hwqual: forced exit: ${(err as Error).message}`))
        .finally(() => exit(130));
    } else exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    uninstall: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
    onForced: (fn) => {
      forced = fn;
    },
  };
}

function bounded(p: Promise<void> | undefined, ms: number): Promise<void> {
  if (!p) return Promise.resolve();
  return Promise.race([p, new Promise<void>((r) => setTimeout(r, ms).unref())]);
}
