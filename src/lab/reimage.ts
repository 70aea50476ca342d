import { HwqualError } from '../model/errors.ts';
import { aptMirror } from '../vm/images/mirror.ts';
import { stopHost } from './down.ts';
import { startOne, writeClientFiles } from './hosts-sshd.ts';
import { kvmForRoots } from './kvm.ts';
import { withLabLock } from './lock.ts';
import { requireHost, requireNetns, requireState } from './lookup.ts';
import { MACHINE_ROOT, requireRelease } from './os-args.ts';
import { ensureRoots, rootState } from './roots.ts';
import { writeState } from './state.ts';
import type { LabHost } from './types.ts';

export interface ReimageOptions {
  dir: string;
  host: string;
  /** The release the host runs next, e.g. `debian-13` (not `machine`: no way back onto the machine's root). */
  os: string;
  /** Debian mirror for a root not cached yet (default: the lab's, else apt's). */
  mirror?: string;
  noKvm?: boolean;
  log?: (line: string) => void;
}

/**
 * Re-image one host, as a host OS upgrade does (a fresh install, not `apt dist-upgrade`): its root is found or built
 * first (a failure changes nothing), then every process of the host stops, its overlay comes back on the other root
 * with a fresh upper, and its sshd starts with the same host key, so `known_hosts` stays valid.
 */
export async function labReimage(o: ReimageOptions): Promise<LabHost> {
  const what = `lab reimage ${o.host} --os ${o.os}`;
  if (o.os === MACHINE_ROOT)
    throw new HwqualError(
      'E_USAGE',
      `${what}: a host cannot be re-imaged back onto the machine's root (it is this machine's own, shared with ` +
        'the controller, and cannot be made fresh); `lab down` and `lab up` without --os make machine-root hosts',
    );
  requireRelease(o.os, what);
  requireNetns(requireState(o.dir), 'lab reimage');
  requireHost(requireState(o.dir), o.host);
  return withLabLock(o.dir, async () => {
    const state = requireState(o.dir);
    const host = requireHost(state, o.host);
    const mirror = o.mirror ?? state.mirror ?? aptMirror();
    const root = (await ensureRoots([o.os], mirror, o.log)).get(o.os)!;
    state.kvm ??= await kvmForRoots(o.noKvm);
    state.mirror = mirror;
    await stopHost(host);
    host.sshd = undefined;
    host.root = rootState(state.dir, host.name, root);
    writeState(state);
    await startOne(state, host);
    writeState(state);
    writeClientFiles(state);
    return host;
  });
}
