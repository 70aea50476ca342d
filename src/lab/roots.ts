import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { HwqualError } from '../model/errors.ts';
import { ensureHostRoot, type HostRoot } from '../vm/images/host-root.ts';
import { aptMirror } from '../vm/images/mirror.ts';
import { kvmForRoots } from './kvm.ts';
import { hostRootDirs, labPaths } from './names.ts';
import type { HostRootState, LabHost, LabKvm, LabState } from './types.ts';

/** Own roots of lab hosts: the cached roots they run, and each host's upper layer in the lab folder. */

/** Each release once (several hosts share one lower), in the order given. */
export async function ensureRoots(
  releases: string[],
  mirror: string,
  log?: (line: string) => void,
): Promise<Map<string, HostRoot>> {
  const roots = new Map<string, HostRoot>();
  for (const r of new Set(releases)) roots.set(r, await ensureHostRoot(r, { mirror, log }));
  return roots;
}

export function rootState(dir: string, hostName: string, root: HostRoot): HostRootState {
  return {
    release: root.name,
    key: root.key,
    lower: root.path,
    upper: hostRootDirs(dir, hostName).upper,
    ...(root.offline ? { offline: root.offline } : {}),
  };
}

export interface PreparedRoots {
  os: Map<string, HostRoot>;
  mirror?: string;
  kvm?: LabKvm;
}

/** The own roots (host → root) and the /dev/kvm decision, before any namespace exists. */
export async function prepareRoots(
  options: { os: Record<string, string>; mirror?: string; noKvm?: boolean; log?: (line: string) => void },
  netnsMissing: string | undefined,
): Promise<PreparedRoots> {
  const wanted = Object.entries(options.os);
  if (!wanted.length) return { os: new Map() };
  if (netnsMissing) throw ownRootsNeedNetns(netnsMissing);
  const mirror = options.mirror ?? aptMirror();
  const built = await ensureRoots(
    wanted.map(([, r]) => r),
    mirror,
    options.log,
  );
  const os = new Map(wanted.map(([host, release]) => [host, built.get(release)!]));
  return { os, mirror, kvm: await kvmForRoots(options.noKvm) };
}

export function withRoots(state: LabState, roots: PreparedRoots): LabState {
  if (!roots.os.size) return state;
  for (const h of state.hosts) {
    const root = roots.os.get(h.name);
    if (root) h.root = rootState(state.dir, h.name, root);
  }
  return { ...state, mirror: roots.mirror, kvm: roots.kvm };
}

export function ownRootsNeedNetns(reason: string): HwqualError {
  return new HwqualError(
    'E_USAGE',
    `--os: a host with its own root needs network and mount namespaces, and this machine has none (${reason}); ` +
      'nothing was made',
  );
}

/** An empty upper and work dir and the mount point, before the host's sshd mounts its overlay: a fresh host. */
export function freshUpper(state: LabState, host: LabHost): void {
  const dirs = hostRootDirs(state.dir, host.name);
  removeUpper(state, host);
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
}

/**
 * The host's upper, work dir and mount point go. Only after its processes are gone: its overlay lives in its own
 * mount namespace, never in this one — something mounted under the host's folder here was not made by the lab
 * and is refused rather than recursed into.
 */
export function removeUpper(state: LabState, host: LabHost): boolean {
  const dirs = hostRootDirs(state.dir, host.name);
  const hostDir = labPaths(state.dir).hostDir(host.name);
  const mounted = mountPoints().filter((m) => m === hostDir || m.startsWith(`${hostDir}/`));
  if (mounted.length)
    throw new HwqualError(
      'E_COMMAND',
      `${host.name}: ${mounted.join(', ')} mounted in the machine's namespace (not by the lab); unmount, then retry`,
      { host: host.name },
    );
  let removed = false;
  for (const d of Object.values(dirs)) {
    try {
      rmSync(d, { recursive: true });
      removed = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return removed;
}

/** Mount points of this process's mount namespace (/proc/self/mountinfo field 5, octal escapes decoded). */
function mountPoints(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) =>
      l.split(' ')[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8))),
    );
}
