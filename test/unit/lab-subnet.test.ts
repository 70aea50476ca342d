import { describe, expect, it } from 'vitest';
import { cidrOverlap, findOverlaps, ipToInt, parseCidr } from '../../src/lab/subnet.ts';

describe('lab subnet overlap', () => {
  it('parses addresses and prefixes', () => {
    expect(ipToInt('10.0.0.1')).toBe(0x0a000001);
    expect(ipToInt('255.255.255.255')).toBe(0xffffffff);
    expect(parseCidr('10.213.7.99/24')).toEqual({ network: ipToInt('10.213.7.0'), bits: 24 });
    expect(parseCidr('192.0.2.2')).toEqual({ network: ipToInt('192.0.2.2'), bits: 32 });
    expect(() => ipToInt('10.0.0.256')).toThrow();
    expect(() => parseCidr('10.0.0.0/33')).toThrow();
  });

  it('overlaps when either prefix contains the other', () => {
    expect(cidrOverlap(parseCidr('10.213.7.0/24'), parseCidr('10.0.0.0/8'))).toBe(true);
    expect(cidrOverlap(parseCidr('10.213.7.0/24'), parseCidr('10.213.7.5/32'))).toBe(true);
    expect(cidrOverlap(parseCidr('10.213.7.0/24'), parseCidr('10.213.8.0/24'))).toBe(false);
    expect(cidrOverlap(parseCidr('10.213.7.0/24'), parseCidr('192.168.0.0/16'))).toBe(false);
  });

  const routes = [
    { dst: 'default', dev: 'eth0' },
    { dst: '192.0.2.0/24', dev: 'eth0' },
    { dst: '10.0.0.0/8', dev: 'tun0' },
    { dst: '10.213.7.1', dev: 'hwqbaaaa', table: 'local' },
    { dst: 'fe80::/64' },
  ];
  const addrs = [
    { ifname: 'eth0', addr_info: [{ local: '192.0.2.2', prefixlen: 24 }] },
    { ifname: 'vpn', addr_info: [{ local: '10.213.7.200', prefixlen: 32 }] },
  ];

  it('reports routes and addresses that touch the subnet, never the default route', () => {
    expect(findOverlaps('10.213.7.0/24', routes, addrs)).toEqual([
      'route 10.0.0.0/8 dev tun0',
      'route 10.213.7.1 dev hwqbaaaa table local',
      'address 10.213.7.200/32 on vpn',
    ]);
    expect(
      findOverlaps('10.213.9.0/24', [{ dst: 'default', dev: 'eth0' }, { dst: '192.0.2.0/24' }], addrs.slice(0, 1)),
    ).toEqual([]);
  });

  it("ignores entries on the lab's own devices", () => {
    expect(findOverlaps('10.213.7.0/24', routes, addrs, ['hwqbaaaa', 'tun0', 'vpn'])).toEqual([]);
  });
});
