import { elements, textOf } from './xml.ts';

/** A machine type as `virsh capabilities` lists it for one domain type: `q35` is an alias of `pc-q35-7.2`. */
export interface LibvirtMachine {
  name: string;
  canonical?: string;
  deprecated?: boolean;
}

/**
 * The machine types libvirt offers for `arch` and domain type `type` (`qemu` = TCG, `kvm`), from `virsh
 * capabilities`: the arch's own list, or the domain type's when it has one. Pure.
 */
export function parseCapabilitiesMachines(
  xml: string,
  arch = 'x86_64',
  type: 'qemu' | 'kvm' = 'qemu',
): LibvirtMachine[] {
  const read = (inner: string) =>
    elements(inner, 'machine').map((m) => ({
      name: textOf(m) ?? '',
      ...(m.attrs.canonical && { canonical: m.attrs.canonical }),
      ...(m.attrs.deprecated === 'yes' && { deprecated: true }),
    }));
  for (const guest of elements(xml, 'guest')) {
    const a = elements(guest.inner, 'arch').find((x) => x.attrs.name === arch);
    if (!a) continue;
    const domain = elements(a.inner, 'domain').find((d) => d.attrs.type === type);
    if (!domain) continue;
    const own = read(domain.inner);
    // The arch's machines sit before its <domain> elements.
    return own.length ? own : read(a.inner.slice(0, a.inner.indexOf('<domain')));
  }
  return [];
}

/** `libvirtd (libvirt) 9.0.0` / `virsh --version` → `9.0.0`, and `virsh version`'s running hypervisor (QEMU 7.2.22). */
export function parseVirshVersion(text: string): { libvirt?: string; hypervisor?: string } {
  const libvirt = /Using library: libvirt (\d+\.\d+\.\d+)/.exec(text)?.[1];
  const hypervisor = /Running hypervisor: (\S+ \d+\.\d+\.\d+)/.exec(text)?.[1];
  return { ...(libvirt && { libvirt }), ...(hypervisor && { hypervisor }) };
}
