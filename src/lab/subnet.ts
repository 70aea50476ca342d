/** IPv4 prefix arithmetic and the overlap check against the machine's routes and addresses. Pure. */

export interface Cidr {
  network: number;
  bits: number;
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255))
    throw new Error(`not an IPv4 address: ${ip}`);
  return parts.reduce((acc, p) => (acc * 256 + Number(p)) >>> 0, 0);
}

export function parseCidr(text: string): Cidr {
  const [ip, bitsText] = text.split('/');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) throw new Error(`bad prefix length in ${text}`);
  return { network: (ipToInt(ip!) & mask(bits)) >>> 0, bits };
}

function mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** True when the two prefixes share at least one address. */
export function cidrOverlap(a: Cidr, b: Cidr): boolean {
  const bits = Math.min(a.bits, b.bits);
  return (a.network & mask(bits)) >>> 0 === (b.network & mask(bits)) >>> 0;
}

/** Shapes of `ip -j -4 route show table all` and `ip -j -4 addr show` that we read. */
export interface RouteEntry {
  dst?: string;
  dev?: string;
  table?: string;
}
export interface AddrEntry {
  ifname?: string;
  addr_info?: Array<{ local?: string; prefixlen?: number }>;
}

/**
 * What on this machine already uses part of `subnet`: routes (default routes excepted: they cover everything
 * and would make every lab impossible) and addresses. Entries on `ownDevices` (our own bridge) do not count.
 */
export function findOverlaps(
  subnet: string,
  routes: RouteEntry[],
  addrs: AddrEntry[],
  ownDevices: string[] = [],
): string[] {
  const ours = parseCidr(subnet);
  const found: string[] = [];
  for (const r of routes) {
    if (!r.dst || r.dst === 'default' || (r.dev && ownDevices.includes(r.dev))) continue;
    let c: Cidr;
    try {
      c = parseCidr(r.dst);
    } catch {
      continue;
    }
    if (c.bits === 0) continue;
    if (cidrOverlap(ours, c))
      found.push(`route ${r.dst}${r.dev ? ` dev ${r.dev}` : ''}${r.table ? ` table ${r.table}` : ''}`);
  }
  for (const a of addrs) {
    if (a.ifname && ownDevices.includes(a.ifname)) continue;
    for (const info of a.addr_info ?? []) {
      if (!info.local) continue;
      const c = parseCidr(`${info.local}/${info.prefixlen ?? 32}`);
      if (cidrOverlap(ours, c)) found.push(`address ${info.local}/${info.prefixlen} on ${a.ifname ?? '?'}`);
    }
  }
  return [...new Set(found)];
}
