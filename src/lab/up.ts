import { mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { HwqualError } from '../model/errors.ts';
import { assertNoConflicts } from './conflicts.ts';
import { tearDown } from './down.ts';
import { startHosts, writeClientFiles } from './hosts-sshd.ts';
import { MAX_HOSTS, labId, labNames, labPaths, loopbackAddress } from './names.ts';
import { withLabLock } from './lock.ts';
import { buildNetwork, netnsUnsupported } from './network.ts';
import { readState, removeState, writeState } from './state.ts';
import { labStatus } from './status.ts';
import type { LabHost, LabMode, LabState } from './types.ts';

export interface LabUpOptions {
  dir: string;
  hosts: number;
  /** Force one sshd per host on 127.0.0.x instead of network namespaces. */
  loopback?: boolean;
}

/**
 * Bring the lab at `dir` up, or leave a healthy one as it is. A lab left by a crash is cleaned and made again.
 * A different host count or mode on an existing lab is refused: nothing is half-changed.
 */
export async function labUp(options: LabUpOptions): Promise<LabState> {
  const { hosts: count } = options;
  if (!Number.isInteger(count) || count < 1 || count > MAX_HOSTS)
    throw new HwqualError('E_USAGE', `--hosts must be 1..${MAX_HOSTS}, got ${count}`);
  return withLabLock(options.dir, () => bringUp(options));
}

async function bringUp(options: LabUpOptions): Promise<LabState> {
  const { hosts: count } = options;
  const paths = labPaths(options.dir);
  mkdirSync(paths.dir, { recursive: true });
  const existing = readState(paths.dir);
  if (existing) {
    const status = await labStatus(paths.dir);
    const what = status?.healthy ? 'is running' : 'was left by a crash or a partial up';
    if (existing.hosts.length !== count) refuse(`has ${existing.hosts.length} hosts, not ${count}`, what, paths.dir);
    if (options.loopback && existing.mode !== 'loopback')
      refuse('runs on network namespaces, not --loopback', what, paths.dir);
    if (status?.healthy) {
      writeClientFiles(existing);
      return existing;
    }
    await tearDown(paths.dir);
  }
  const reason = options.loopback ? 'forced by --loopback' : await netnsUnsupported();
  if (!reason) {
    const names = labNames(paths.dir, count);
    await assertNoConflicts(paths.dir, names);
    const state = newState(paths.dir, 'netns', count);
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
    return upLoopback(paths.dir, count, fallback);
  }
  return upLoopback(paths.dir, count, reason);
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
