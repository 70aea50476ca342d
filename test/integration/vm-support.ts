import { LocalTransport } from '../../src/transport/local.ts';
import { openLabEndpoints, type LabEndpoints } from '../../src/cli/lab-endpoints.ts';

const local = new LocalTransport('local');

/** Whether a QEMU process whose command line names this (unique) work dir runs on this machine. */
export async function qemuRunningIn(workDir: string): Promise<boolean> {
  const r = await local.exec(
    `for p in $(pgrep -f -- '${workDir}'); do [ "$p" = "$$" ] && continue; case "$(cat /proc/$p/comm 2>/dev/null)" ` +
      `in qemu*) echo $p;; esac; done`,
  );
  return r.stdout.trim() !== '';
}

/** One connected SSH transport per host of a lab file, as migration endpoints (name, transport, lab address). */
export function labEndpoints(labYaml: string): Promise<LabEndpoints> {
  return openLabEndpoints(labYaml);
}
