import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ExecResult } from '../model/exec.ts';
import { CommandError, commandErrorCode } from '../transport/command-error.ts';
import { run, runOk } from './run.ts';

/** Network namespaces, veth pairs and the bridge of a lab, through `ip`. */

export function linkExists(ifname: string): boolean {
  return existsSync(`/sys/class/net/${ifname}`);
}

export function netnsExists(name: string): boolean {
  return existsSync(`/run/netns/${name}`);
}

/** A Linux bridge in the root namespace with `address`/24 on it; no IPv6, nothing else attached. */
export async function createBridge(bridge: string, address: string): Promise<void> {
  await runOk('ip', ['link', 'add', bridge, 'type', 'bridge']);
  disableIpv6(`/proc/sys/net/ipv6/conf/${bridge}/disable_ipv6`);
  await runOk('ip', ['addr', 'add', `${address}/24`, 'dev', bridge]);
  await runOk('ip', ['link', 'set', bridge, 'up']);
}

export async function createNetns(name: string): Promise<ExecResult> {
  return run('ip', ['netns', 'add', name]);
}

/**
 * A veth pair: `vethHost` stays in the root namespace on the bridge, `vethPeer` moves into the namespace as eth0
 * with `address`/24. No default route: the host reaches only its /24.
 */
export async function plugHost(o: {
  netns: string;
  bridge: string;
  vethHost: string;
  vethPeer: string;
  address: string;
}): Promise<void> {
  await runOk('ip', ['link', 'add', o.vethHost, 'type', 'veth', 'peer', 'name', o.vethPeer]);
  disableIpv6(`/proc/sys/net/ipv6/conf/${o.vethHost}/disable_ipv6`);
  await runOk('ip', ['link', 'set', o.vethHost, 'master', o.bridge]);
  await runOk('ip', ['link', 'set', o.vethPeer, 'netns', o.netns]);
  await runOk('ip', ['netns', 'exec', o.netns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1']);
  const ipIn = (args: string[]) => runOk('ip', ['-n', o.netns, ...args]);
  await ipIn(['link', 'set', o.vethPeer, 'name', 'eth0']);
  await ipIn(['addr', 'add', `${o.address}/24`, 'dev', 'eth0']);
  await ipIn(['link', 'set', 'lo', 'up']);
  await ipIn(['link', 'set', 'eth0', 'up']);
  await runOk('ip', ['link', 'set', o.vethHost, 'up']);
}

/** Pids of every process inside the namespace (`ip netns pids`). */
export async function netnsPids(name: string): Promise<number[]> {
  if (!netnsExists(name)) return [];
  const r = await run('ip', ['netns', 'pids', name]);
  return r.stdout.split(/\s+/).filter(Boolean).map(Number);
}

/** Delete what exists; a name that is already gone is fine. Returns what was deleted. */
export async function deleteNetns(name: string): Promise<boolean> {
  if (!netnsExists(name)) return false;
  await runOk('ip', ['netns', 'del', name]);
  return true;
}

export async function deleteLink(ifname: string): Promise<boolean> {
  if (!linkExists(ifname)) return false;
  const r = await run('ip', ['link', 'del', ifname]);
  if (r.exitCode !== 0 && linkExists(ifname)) throw new CommandError(commandErrorCode(r), r);
  return true;
}

export async function setLink(ifname: string, state: 'up' | 'down'): Promise<void> {
  await runOk('ip', ['link', 'set', ifname, state]);
}

/** The administrative state `ip link set … down|up` changes (IFF_UP, bit 0 of /sys/class/net/<if>/flags). */
export function linkAdminState(ifname: string): 'up' | 'down' | 'missing' {
  try {
    return Number.parseInt(readFileSync(`/sys/class/net/${ifname}/flags`, 'utf8').trim(), 16) & 1 ? 'up' : 'down';
  } catch {
    return 'missing';
  }
}

function disableIpv6(path: string): void {
  try {
    writeFileSync(path, '1');
  } catch {
    /* no IPv6 on this kernel: nothing to disable */
  }
}
