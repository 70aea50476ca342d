import { runEmergencyCleanups } from '../util/emergency.ts';

/**
 * First SIGINT/SIGTERM: abort the run (cases cancelled through their AbortSignal, teardown runs, reports written).
 * Second: skip the graceful waits, run the emergency cleanups (kill recorded process groups, remove what the run
 * made), exit 130.
 */
export function installInterruptHandler(
  controller: AbortController,
  log: (m: string) => void = (m) => process.stderr.write(`${m}\n`),
): () => void {
  let count = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      log(`hwqual: ${sig} — cancelling running cases, tearing down, writing reports (again to force)`);
      controller.abort(new Error(`interrupted by ${sig}`));
    } else {
      log(`hwqual: ${sig} again — forcing cleanup and exit`);
      void runEmergencyCleanups().finally(() => process.exit(130));
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
