import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { HwqualError } from '../model/errors.ts';
import { assertNoConflicts } from './conflicts.ts';
import { tearDown } from './down.ts';
import { startHosts, writeClientFiles } from './hosts-sshd.ts';
import { MAX_HOSTS, labId, labNames, labPaths, loopbackAddress } from './names.ts';
import { withLabLock } from './lock.ts';
import { buildNetwork, netnsUnsupported } from './network.ts';
import { osDifference, osOfHosts, validateOs } from './os-args.ts';
import { ownRootsNeedNetns, prepareRoots, withRoots } from './roots.ts';
import { readState, removeState, writeState } from './state.ts';
import { labStatus } from './status.ts';
import type { LabHost, LabMode, LabState } from './types.ts';

export interface LabUpOptions {
  dir: string;
  hosts: number;
  /** Force one sshd per host on 127.0.0.x instead of network namespaces. */
  loopback?: boolean;
  /** Hosts with their own OS root: host → release (`{ 'node-c': 'debian-13' }`); the others run the machine's. */
  os?: Record<string, string>;
  /** Debian mirror the own roots are built from (default: the one apt uses here). */
  mirror?: string;
  /** Own-root hosts get no /dev/kvm, whatever the KVM probe says. */
  noKvm?: boolean;
  /** Every host runs its release's `+libvirt` root with virtlogd and libvirtd (each host needs `--os`). */
  libvirt?: boolean;
  /** Progress lines (a root being built). */
  log?: (line: string) => void;
}

/**
 * Bring the lab at `dir` up, or leave a healthy one as it is. A lab left by a crash is cleaned and made again.
 * A different host count, mode or `--os` on an existing lab is refused: nothing is half-changed. Own roots are
 * found or built before anything else is made: a mirror that fails leaves no trace.
 */
export async function labUp(options: LabUpOptions): Promise<LabState> {
  const { hosts: count } = options;
  if (!Number.isInteger(count) || count < 1 || count > MAX_HOSTS)
    throw new HwqualError('E_USAGE', `--hosts must be 1..${MAX_HOSTS}, got ${count}`);
  const os = validateOs(options.os ?? {}, count, options.loopback, options.libvirt);
  const made = !existsSync(labPaths(options.dir).dir);
  try {
    return await withLabLock(options.dir, () => bringUp({ ...options, os }));
  } finally {
    if (made && !readState(options.dir)) rmEmptyTree(labPaths(options.dir).dir);
  }
}

async function bringUp(options: LabUpOptions & { os: Record<string, string> }): Promise<LabState> {
  const { hosts: count, os } = options;
  const paths = labPaths(options.dir);
  mkdirSync(paths.dir, { recursive: true });
  const existing = readState(paths.dir);
  if (existing) {
    const status = await labStatus(paths.dir);
    const what = status?.healthy ? 'is running' : 'was left by a crash or a partial up';
    if (existing.hosts.length !== count) refuse(`has ${existing.hosts.length} hosts, not ${count}`, what, paths.dir);
    if (options.loopback && existing.mode !== 'loopback')
      refuse('runs on network namespaces, not --loopback', what, paths.dir);
    const osDiff = osDifference(osOfHosts(existing), os);
    if (osDiff) refuse(`is not the --os asked for: ${osDiff}`, what, paths.dir);
    if (status?.healthy) {
      writeClientFiles(existing);
      return existing;
    }
    await tearDown(paths.dir);
  }
  const reason = options.loopback ? 'forced by --loopback' : await netnsUnsupported();
  const roots = await prepareRoots(options, reason);
  if (!reason) {
    const names = labNames(paths.dir, count);
    await assertNoConflicts(paths.dir, names);
    const state = withRoots(newState(paths.dir, 'netns', count), roots);
    writeState(state);
    let fallback: string | undefined;
    try {
      fallback = await buildNetwork(state);
      if (!fallback) return await finish(state);
    } catch (err) {
      await tearDown(paths.dir);
      throw err;
    }
    removeState(paths.dir);
    if (roots.os.size) throw ownRootsNeedNetns(fallback);
    return upLoopback(paths.dir, count, fallback);
  }
  return upLoopback(paths.dir, count, reason);
}

/** A lab folder this `up` made and that holds no state (it failed before making anything): gone again. */
function rmEmptyTree(dir: string): void {
  const empty = (d: string): boolean =>
    readdirSync(d, { withFileTypes: true }).every((e) => e.isDirectory() && empty(join(d, e.name)));
  try {
    if (empty(dir)) rmSync(dir, { recursive: true });
  } catch {
    /* gone already */
  }
}

async function upLoopback(dir: string, count: number, reason: string): Promise<LabState> {
  const state = newState(dir, 'loopback', count, reason);
  writeState(state);
  try {
    return await finish(state);
  } catch (err) {
    await tearDown(dir);
    throw err;
  }
}

async function finish(state: LabState): Promise<LabState> {
  mkdirSync(labPaths(state.dir).shared, { recursive: true });
  await startHosts(state);
  state.phase = 'running';
  writeState(state);
  writeClientFiles(state);
  return state;
}

function refuse(problem: string, what: string, dir: string): never {
  throw new HwqualError(
    'E_USAGE',
    `lab ${dir} ${problem} (it ${what}); nothing changed. ` +
      `Run \`hwqual lab down --dir ${dir}\` first to make a different one`,
  );
}

function newState(dir: string, mode: LabMode, count: number, fallbackReason?: string): LabState {
  const paths = labPaths(dir);
  const names = labNames(dir, count);
  const hosts: LabHost[] = names.hosts.map((n, i) => {
    const hostDir = paths.hostDir(n.name);
    mkdirSync(hostDir, { recursive: true });
    const files = {
      sshdConfig: join(hostDir, 'sshd_config'),
      hostKey: join(hostDir, 'ssh_host_ed25519_key'),
      logFile: join(hostDir, 'sshd.log'),
    };
    return mode === 'netns'
      ? {
          name: n.name,
          address: n.address,
          port: 22,
          netns: n.netns,
          vethHost: n.vethHost,
          vethPeer: n.vethPeer,
          ...files,
        }
      : { name: n.name, address: loopbackAddress(i), port: 22, ...files };
  });
  return {
    version: 1,
    dir: paths.dir,
    id: labId(dir),
    mode,
    ...(fallbackReason ? { fallbackReason } : {}),
    ...(mode === 'netns' ? { subnet: names.subnet, bridge: names.bridge, bridgeAddress: names.bridgeAddress } : {}),
    hosts,
    user: process.getuid?.() === 0 ? 'root' : userInfo().username,
    identityFile: paths.identityFile,
    knownHosts: paths.knownHosts,
    labYaml: paths.labYaml,
    phase: 'starting',
    createdAt: new Date().toISOString(),
  };
}
