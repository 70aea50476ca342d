import { describe, expect, it } from 'vitest';
import { IFNAME_MAX, MAX_HOSTS, hostName, labId, labNames, labPaths, labSubnet } from '../../src/lab/names.ts';
import { parseCidr, cidrOverlap } from '../../src/lab/subnet.ts';

describe('lab names', () => {
  it('derive from the absolute dir: same dir, same names; relative and absolute spellings agree', () => {
    expect(labId('/tmp/lab-a')).toBe(labId('/tmp/x/../lab-a'));
    expect(labId(`${process.cwd()}/.hwqual-lab`)).toBe(labId('.hwqual-lab'));
    expect(labNames('/tmp/lab-a', 3)).toEqual(labNames('/tmp/lab-a/', 3));
  });

  it('differ between dirs (ids, bridges, namespaces, veths)', () => {
    const a = labNames('/tmp/lab-a', 3);
    const b = labNames('/tmp/lab-b', 3);
    expect(a.id).not.toBe(b.id);
    expect(a.bridge).not.toBe(b.bridge);
    const all = (n: typeof a) => [n.bridge, ...n.hosts.flatMap((h) => [h.netns, h.vethHost, h.vethPeer])];
    expect(all(a).filter((x) => all(b).includes(x))).toEqual([]);
  });

  it('keeps interface names within 15 bytes, even for the last host', () => {
    const n = labNames('/some/very/long/path/to/a/lab/folder/that/goes/on', MAX_HOSTS);
    for (const name of [n.bridge, ...n.hosts.flatMap((h) => [h.vethHost, h.vethPeer])]) {
      expect(name.length).toBeLessThanOrEqual(IFNAME_MAX);
      expect(name).toMatch(/^[a-z0-9]+$/);
    }
    expect(new Set(n.hosts.map((h) => h.vethHost)).size).toBe(MAX_HOSTS);
  });

  it('names hosts node-a … node-z, then node-aa …, each once, and refuses more than the /24 holds', () => {
    expect([0, 1, 25, 26, 27, 51, 52, 63].map(hostName)).toEqual([
      'node-a',
      'node-b',
      'node-z',
      'node-aa',
      'node-ab',
      'node-az',
      'node-ba',
      'node-bl',
    ]);
    const all = Array.from({ length: MAX_HOSTS }, (_, i) => hostName(i));
    expect(new Set(all).size).toBe(MAX_HOSTS);
    expect(labNames('/x', MAX_HOSTS).hosts.at(-1)!.address).toMatch(/\.254$/);
    expect(() => hostName(MAX_HOSTS)).toThrow(RangeError);
  });

  it('puts the subnet in 10.208.0.0/12, the bridge on .1 and hosts on .11, .12, …', () => {
    for (const dir of ['/a', '/b', '/tmp/x', '/srv/home/.hwqual-lab', '/srv/lab/42']) {
      const { cidr, prefix } = labSubnet(dir);
      expect(cidrOverlap(parseCidr(cidr), parseCidr('10.208.0.0/12'))).toBe(true);
      expect(parseCidr(cidr).bits).toBe(24);
      const n = labNames(dir, 2);
      expect(n.bridgeAddress).toBe(`${prefix}.1`);
      expect(n.hosts.map((h) => h.address)).toEqual([`${prefix}.11`, `${prefix}.12`]);
    }
  });

  it('spreads subnets: 200 dirs use many different /24s', () => {
    const subnets = new Set(Array.from({ length: 200 }, (_, i) => labSubnet(`/tmp/lab-${i}`).cidr));
    expect(subnets.size).toBeGreaterThan(190);
  });

  it('keeps every file inside the lab folder', () => {
    const p = labPaths('/tmp/lab-a');
    expect(
      [p.state, p.labYaml, p.identityFile, p.knownHosts, p.hostDir('node-a')].every((f) => f.startsWith('/tmp/lab-a/')),
    ).toBe(true);
  });
});
