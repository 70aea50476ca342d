import type { LibvirtVm } from '../../vm/libvirt/libvirt-vm.ts';
import { shellQuote } from '../../vm/shell.ts';
import { injectFault } from '../hop.ts';
import type { Endpoint, Fault } from '../types.ts';

/**
 * A fault in a libvirt migration, as on the raw QEMU path: `kill-destination` SIGKILLs the incoming QEMU libvirt
 * started on B (its pid file under /run/libvirt/qemu); `link-down` is the raw QEMU path's own. Returns what was done.
 */
export async function injectLibvirtFault(
  f: Fault,
  B: Endpoint,
  dst: LibvirtVm,
  nowMs: number,
  log: (m: string) => void,
): Promise<string> {
  if (f.kind === 'kill-destination') {
    const pidFile = shellQuote(dst.paths.pidFile);
    const r = await B.transport.exec(`pid=$(cat ${pidFile}) && kill -KILL "$pid" && echo "$pid"`, {
      timeoutMs: 10_000,
    });
    const pid = r.stdout.trim() || '?';
    log(`fault: SIGKILL the incoming QEMU (pid ${pid}) libvirt started on ${B.name}`);
    return (
      `destination QEMU (pid ${pid}) on ${B.name} killed at ${nowMs} ms` +
      `${r.exitCode === 0 ? '' : ` (kill: ${r.stderr.trim()})`}`
    );
  }
  return injectFault(f, { vm: dst }, B, nowMs, log); // the link: as on the raw QEMU path
}
