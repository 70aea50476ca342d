import { HwqualError } from '../model/errors.ts';
import { linkExists, netnsExists } from './netns.ts';
import type { LabNames } from './names.ts';
import { runOk } from './run.ts';
import { findOverlaps, type AddrEntry, type RouteEntry } from './subnet.ts';

/**
 * Before a netns lab is made: its /24 must not touch any route or address of this machine, and none of its names
 * may exist already (they derive from the dir, so an existing one belongs to a lab whose state file is gone).
 */
export async function assertNoConflicts(dir: string, names: LabNames): Promise<void> {
  const routes = JSON.parse((await runOk('ip', ['-j', '-4', 'route', 'show', 'table', 'all'])) || '[]') as RouteEntry[];
  const addrs = JSON.parse((await runOk('ip', ['-j', '-4', 'addr', 'show'])) || '[]') as AddrEntry[];
  const overlaps = findOverlaps(names.subnet, routes, addrs);
  if (overlaps.length) {
    throw new HwqualError(
      'E_USAGE',
      `lab ${dir}: its subnet ${names.subnet} overlaps ${overlaps.join(', ')} on this machine; ` +
        'choose another --dir (the subnet derives from it) or use --loopback',
    );
  }
  const taken = [
    ...(linkExists(names.bridge) ? [`bridge ${names.bridge}`] : []),
    ...names.hosts.flatMap((h) => [
      ...(netnsExists(h.netns) ? [`netns ${h.netns}`] : []),
      ...(linkExists(h.vethHost) ? [`link ${h.vethHost}`] : []),
      ...(linkExists(h.vethPeer) ? [`link ${h.vethPeer}`] : []),
    ]),
  ];
  if (taken.length) {
    throw new HwqualError(
      'E_USAGE',
      `lab ${dir}: ${taken.join(', ')} already exist but ${dir}/state.json does not record them ` +
        '(a lab whose state file was removed?); delete them with `ip netns del` / `ip link del` first',
    );
  }
}
