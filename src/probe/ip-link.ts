export interface NetLink { name: string; mac?: string; mtu?: number; up: boolean; operstate?: string; linkType?: string; kind: 'physical' | 'virtual' }

/** Software devices by name: loopback, bridges, bonds' slaves are still physical, tunnels, veths, ifb, docker… */
const VIRTUAL_NAME = /^(lo|ifb\d|veth|virbr|docker|br-|tap|tun|vnet|dummy|bond|team|vxlan|gre|sit|ip6tnl|tunl|erspan|wg|cni|flannel|cali|kube)/;

/**
 * `ip -j link` → interfaces. `kind` is a name heuristic (ip -j link has no "is this hardware" field; `-d` would give
 * linkinfo.info_kind): loopback and common software devices are virtual, the rest physical.
 */
export function parseIpLink(json: string): NetLink[] {
  const doc = JSON.parse(json) as Record<string, unknown>[];
  return doc.map((l) => {
    const name = String(l.ifname ?? '');
    const flags = Array.isArray(l.flags) ? (l.flags as string[]) : [];
    const linkType = typeof l.link_type === 'string' ? l.link_type : undefined;
    const link: NetLink = {
      name,
      up: flags.includes('UP'),
      kind: linkType === 'loopback' || linkType === 'none' || VIRTUAL_NAME.test(name) || l.linkinfo !== undefined ? 'virtual' : 'physical',
    };
    if (typeof l.address === 'string') link.mac = l.address;
    if (typeof l.mtu === 'number') link.mtu = l.mtu;
    if (typeof l.operstate === 'string') link.operstate = l.operstate;
    if (linkType) link.linkType = linkType;
    return link;
  });
}
