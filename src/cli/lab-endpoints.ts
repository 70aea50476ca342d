import { loadLab } from '../config/index.ts';
import { HwqualError } from '../model/errors.ts';
import { createTransport } from '../transport/create.ts';
import type { Endpoint } from '../migration/index.ts';

export interface LabEndpoints {
  ends: Endpoint[];
  /** Close every transport (never throws). */
  close(): Promise<void>;
}

/**
 * Migration endpoints for hosts of a lab file — name, transport, migration address — connected. `names` picks hosts in
 * that order (E_USAGE for one the lab does not have); default: every host. If a connection fails, the others are
 * closed before the error is thrown.
 */
export async function openLabEndpoints(
  labFile: string,
  o: { names?: string[]; signal?: AbortSignal } = {},
): Promise<LabEndpoints> {
  const lab = loadLab(labFile);
  const hosts = (o.names ?? lab.hosts.map((h) => h.name)).map((name) => {
    const h = lab.hosts.find((x) => x.name === name);
    if (!h) throw new HwqualError('E_USAGE', `host ${name} is not in ${labFile}`);
    return h;
  });
  const ends = hosts.map((h) => ({ name: h.name, transport: createTransport(h, lab), address: h.migrationAddress }));
  const close = async () => {
    await Promise.all(ends.map((e) => e.transport.close().catch(() => {})));
  };
  try {
    await Promise.all(ends.map((e) => e.transport.connect(o.signal)));
  } catch (err) {
    await close();
    throw err;
  }
  return { ends, close };
}
