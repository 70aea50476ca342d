import { parseDomCapabilities, type DomCapabilities } from '../../probe/domcaps.ts';
import type { Transport } from '../../transport/types.ts';
import { Virsh } from './virsh.ts';

const cache = new Map<string, Promise<DomCapabilities>>();

/**
 * `virsh domcapabilities --virttype qemu|kvm` of a host, once per host and domain type per run: the CPU models its
 * libvirt accepts (the QEMU→libvirt name map reads them). A libvirtd that does not answer is E_VM in virsh's words.
 */
export function domCapabilitiesOnce(
  transport: Transport,
  virttype: 'qemu' | 'kvm',
  signal?: AbortSignal,
): Promise<DomCapabilities> {
  const key = `${transport.host}\0${virttype}`;
  let p = cache.get(key);
  if (!p) {
    p = new Virsh(transport)
      .run(['domcapabilities', '--virttype', virttype], { signal })
      .then((xml) => parseDomCapabilities(xml));
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

/** Forget cached answers (tests; a lab host re-imaged in the same process). */
export function resetDomCapabilities(): void {
  cache.clear();
}
