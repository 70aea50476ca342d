import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';

/**
 * Every name and address of a lab derives from its absolute folder, so two labs never collide.
 * Pure: no I/O.
 */

/** The /24s a lab may use: 10.208.0.0/12 (10.208.0.0 – 10.223.255.255), private and rarely routed. */
export const LAB_RANGE = { firstOctet: 10, secondBase: 208, secondSpan: 16 } as const;
/**
 * Hosts of one lab, at most: the /24 gives them .11 – .254 (the bridge is .1), interface names `hwq<id>h<i>` stay
 * within 15 bytes well beyond that. The hosts benchmark runs 64.
 */
export const MAX_HOSTS = 244;
/** Linux interface names are at most 15 bytes (IFNAMSIZ - 1). */
export const IFNAME_MAX = 15;

export function labDir(dir: string): string {
  return resolve(dir);
}

/** 8 hex characters of sha256(absolute dir). */
export function labId(dir: string): string {
  return createHash('sha256').update(labDir(dir)).digest('hex').slice(0, 8);
}

/** node-a, node-b, … node-z, then node-aa, node-ab, … */
export function hostName(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_HOSTS)
    throw new RangeError(`host index ${index} out of 0..${MAX_HOSTS - 1}`);
  const letter = (i: number) => String.fromCharCode(97 + i);
  return index < 26
    ? `node-${letter(index)}`
    : `node-${letter(Math.floor((index - 26) / 26))}${letter((index - 26) % 26)}`;
}

/** The lab's /24 inside LAB_RANGE, from the dir hash: { base: '10.2xx.y.0', cidr: '10.2xx.y.0/24' }. */
export function labSubnet(dir: string): { prefix: string; cidr: string } {
  const h = createHash('sha256')
    .update(`subnet:${labDir(dir)}`)
    .digest();
  const second = LAB_RANGE.secondBase + (h[0]! % LAB_RANGE.secondSpan);
  const third = h[1]!;
  const prefix = `${LAB_RANGE.firstOctet}.${second}.${third}`;
  return { prefix, cidr: `${prefix}.0/24` };
}

export interface LabNames {
  id: string;
  bridge: string;
  subnet: string;
  bridgeAddress: string;
  hosts: Array<{ name: string; netns: string; vethHost: string; vethPeer: string; address: string }>;
}

/** Names for a netns lab of `count` hosts: bridge .1, hosts .11, .12, … */
export function labNames(dir: string, count: number): LabNames {
  const id = labId(dir);
  const { prefix, cidr } = labSubnet(dir);
  const hosts = Array.from({ length: count }, (_, i) => ({
    name: hostName(i),
    netns: `hwq-${id}-${hostName(i)}`,
    vethHost: `hwq${id}h${i}`,
    vethPeer: `hwq${id}p${i}`,
    address: `${prefix}.${11 + i}`,
  }));
  return { id, bridge: `hwqb${id}`, subnet: cidr, bridgeAddress: `${prefix}.1`, hosts };
}

/** Loopback fallback addresses: 127.0.0.2, 127.0.0.3, … (labs then differ by port). */
export function loopbackAddress(index: number): string {
  return `127.0.0.${2 + index}`;
}

/** Files of a lab, all inside its folder. */
export function labPaths(dir: string) {
  const d = labDir(dir);
  return {
    dir: d,
    state: join(d, 'state.json'),
    labYaml: join(d, 'lab.yaml'),
    identityFile: join(d, 'id_ed25519'),
    knownHosts: join(d, 'known_hosts'),
    hostDir: (name: string) => join(d, 'hosts', name),
    /** The lab's shared storage: the same path and files on every host. */
    shared: join(d, 'shared'),
  };
}

/** An own-root host's overlay: its upper and work dirs and the mount point, inside the host's folder. */
export function hostRootDirs(dir: string, name: string): { upper: string; work: string; merged: string } {
  const h = labPaths(dir).hostDir(name);
  return { upper: join(h, 'upper'), work: join(h, 'work'), merged: join(h, 'root') };
}
