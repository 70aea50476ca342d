import { HwqualError } from '../model/errors.ts';
import { HOST_ROOT_RECIPES, hostRootRecipe } from '../vm/images/recipes.ts';
import { hostName } from './names.ts';
import type { LabState } from './types.ts';

/** `--os` values: which hosts run their own root, checked before anything is made. Pure. */

/** The machine's own root: what a host without `--os` runs. `lab reimage` cannot go back to it. */
export const MACHINE_ROOT = 'machine';

/** Releases first, then their variants: `debian-12, debian-13, debian-12+libvirt, debian-13+libvirt`. */
export function knownReleases(): string[] {
  const names = HOST_ROOT_RECIPES.map((r) => r.name);
  return [...names.filter((n) => !n.includes('+')), ...names.filter((n) => n.includes('+'))];
}

/** `['node-c=debian-13', …]` → `{ 'node-c': 'debian-13' }`; `node-a=machine` is the same as no `--os` for node-a. */
export function parseOsFlags(values: readonly string[]): Record<string, string> {
  const os: Record<string, string> = {};
  for (const v of values) {
    const m = /^([a-z0-9-]+)=([A-Za-z0-9.+-]+)$/.exec(v.trim());
    if (!m) throw new HwqualError('E_USAGE', `--os ${v}: expected <host>=<release>, e.g. node-c=debian-13`);
    const [, host, release] = m;
    if (os[host!] !== undefined && os[host!] !== release)
      throw new HwqualError('E_USAGE', `--os names ${host} twice (${os[host!]}, ${release})`);
    os[host!] = release!;
  }
  return os;
}

/**
 * Own roots by host for a lab of `count` hosts: unknown hosts or releases, or `--loopback`, are E_USAGE. With
 * `libvirt` every host runs its release's `+libvirt` variant, and a host on the machine's root is E_USAGE.
 */
export function validateOs(
  os: Record<string, string>,
  count: number,
  loopback?: boolean,
  libvirt?: boolean,
): Record<string, string> {
  const names = Array.from({ length: count }, (_, i) => hostName(i));
  const own: Record<string, string> = {};
  for (const [host, release] of Object.entries(os)) {
    if (!names.includes(host))
      throw new HwqualError(
        'E_USAGE',
        `--os ${host}=${release}: the lab has no host ${host} (it has ${names.join(', ')})`,
      );
    if (release === MACHINE_ROOT) continue;
    const wanted = libvirt ? withVariant(release, LIBVIRT) : release;
    requireRelease(wanted, `--os ${host}=${release}${libvirt ? ' --libvirt' : ''}`);
    own[host] = wanted;
  }
  const onMachine = names.filter((h) => !own[h]);
  if (libvirt && onMachine.length)
    throw new HwqualError(
      'E_USAGE',
      `--libvirt: ${onMachine.join(', ')} ${onMachine.length > 1 ? 'run' : 'runs'} the machine's root; a libvirtd ` +
        'needs its own /etc/libvirt and /var/lib/libvirt (with `migrate --persistent --undefinesource` two daemons ' +
        "sharing /etc/libvirt/qemu would write and delete each other's domain files): give " +
        `${onMachine.length > 1 ? 'each' : 'it'} an own root, e.g. --os ${onMachine[0]}=debian-13`,
    );
  if (loopback && Object.keys(own).length)
    throw new HwqualError(
      'E_USAGE',
      '--os with --loopback: a host with its own root needs network and mount namespaces, which loopback hosts ' +
        'do not have (run `lab up` as root without --loopback)',
    );
  return own;
}

/** The `+libvirt` root variant (src/vm/images/libvirt-root.ts). */
export const LIBVIRT = 'libvirt';

/** `debian-12` → `debian-12+libvirt` (unchanged when it already has the variant). */
export function withVariant(release: string, variant: string): string {
  return release.split('+').includes(variant) ? release : `${release}+${variant}`;
}

export function requireRelease(release: string, what: string): void {
  if (!hostRootRecipe(release))
    throw new HwqualError(
      'E_USAGE',
      `${what}: unknown release "${release}" (known: ${knownReleases().join(', ')}, or ${MACHINE_ROOT} for the ` +
        "machine's own root)",
    );
}

/** What each host of a lab runs, for comparing an `up` with the lab that exists: `{ node-a: machine, … }`. */
export function osOfHosts(state: LabState): Record<string, string> {
  return Object.fromEntries(state.hosts.map((h) => [h.name, h.root?.release ?? MACHINE_ROOT]));
}

export function osDifference(existing: Record<string, string>, wanted: Record<string, string>): string | undefined {
  const diffs = Object.keys(existing)
    .filter((h) => existing[h] !== (wanted[h] ?? MACHINE_ROOT))
    .map((h) => `${h} runs ${existing[h]}, not ${wanted[h] ?? MACHINE_ROOT}`);
  return diffs.length ? diffs.join('; ') : undefined;
}
