import { loadLab } from '../../src/config/index.ts';
import { createTransport } from '../../src/transport/create.ts';
import type { Endpoint } from '../../src/vm/migration/hop.ts';
import { LocalTransport } from '../../src/transport/local.ts';

const local = new LocalTransport('local');

/** Whether a QEMU process whose command line names this (unique) work dir runs on this machine. */
export async function qemuRunningIn(workDir: string): Promise<boolean> {
  const r = await local.exec(`for p in $(pgrep -f -- '${workDir}'); do [ "$p" = "$$" ] && continue; case "$(cat /proc/$p/comm 2>/dev/null)" in qemu*) echo $p;; esac; done`);
  return r.stdout.trim() !== '';
}

/** One connected SSH transport per host of a lab file, as migration endpoints (name, transport, lab address). */
export async function labEndpoints(labYaml: string): Promise<{ ends: Endpoint[]; close(): Promise<void> }> {
  const lab = loadLab(labYaml);
  const ends = lab.hosts.map((h) => ({ name: h.name, transport: createTransport(h, lab), address: h.address }));
  await Promise.all(ends.map((e) => e.transport.connect()));
  return { ends, close: async () => { await Promise.all(ends.map((e) => e.transport.close().catch(() => {}))); } };
}
