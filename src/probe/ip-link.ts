export interface NetLink {
  name: string;
  mac?: string;
  mtu?: number;
  up: boolean;
  operstate?: string;
  linkType?: string;
  kind: 'physical' | 'virtual';
}

/** Software devices by name, for output without `-d`: loopback, tunnels, veths, ifb, bridges, docker… */
const VIRTUAL_NAME = new RegExp(
  '^(lo|ifb\\d|veth|virbr|docker|br-|tap|tun|vnet|dummy|bond|team|vxlan|gre|sit|ip6tnl|tunl|erspan|wg|' +
    'cni|flannel|cali|kube)',
);

/**
 * `ip -d -j link` → interfaces. A device is virtual when `-d` shows a `linkinfo.info_kind` (bridge, veth, ifb, bond,
 * vlan…; a bond's physical slave has only `info_slave_kind`), when it is the loopback, or — for output without
 * `-d` — when its name is a common software device's.
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
      kind:
        linkType === 'loopback' || linkType === 'none' || hasInfoKind(l.linkinfo) || VIRTUAL_NAME.test(name)
          ? 'virtual'
          : 'physical',
    };
    if (typeof l.address === 'string') link.mac = l.address;
    if (typeof l.mtu === 'number') link.mtu = l.mtu;
    if (typeof l.operstate === 'string') link.operstate = l.operstate;
    if (linkType) link.linkType = linkType;
    return link;
  });
}

function hasInfoKind(linkinfo: unknown): boolean {
  return (
    typeof linkinfo === 'object' &&
    linkinfo !== null &&
    typeof (linkinfo as { info_kind?: unknown }).info_kind === 'string'
  );
}
