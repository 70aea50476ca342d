import { existsSync, rmSync } from 'node:fs';
import { withLabLock } from './lock.ts';
import { labDir } from './names.ts';
import { deleteLink, deleteNetns, netnsPids } from './netns.ts';
import { descendants, isAlive, readStat, stopRecorded } from './proc.ts';
import { stopLibvirt } from './libvirtd.ts';
import { removeUpper } from './roots.ts';
import { readState, removeState } from './state.ts';
import type { LabHost, RecordedProcess } from './types.ts';

export interface LabDownReport {
  dir: string;
  found: boolean;
  /** Pids that got a signal (each still had its recorded start time). */
  stopped: number[];
  /** Namespaces and links deleted, and own-root hosts' upper layers removed (`upper node-c`). */
  deleted: string[];
}

/**
 * Undo what the state file records: its sshds (only while pid and start time still match), every process inside
 * its namespaces (sessions run there), own-root hosts' upper layers, then namespaces, veths and the bridge. Works
 * after a crash and twice. Keys, `<lab>/shared` and the cached roots stay, so a later `up` keeps the same
 * known_hosts.
 */
export async function labDown(dir: string): Promise<LabDownReport> {
  if (!existsSync(labDir(dir))) return { dir: labDir(dir), found: false, stopped: [], deleted: [] };
  return withLabLock(dir, () => tearDown(dir));
}

/** labDown without the lock, for `up` cleaning up after itself (it holds the lock). */
export async function tearDown(dir: string): Promise<LabDownReport> {
  const state = readState(dir);
  const report: LabDownReport = { dir: labDir(dir), found: Boolean(state), stopped: [], deleted: [] };
  if (!state) return report;
  const sshds = state.hosts.flatMap((h) => (h.sshd && isAlive(h.sshd) ? [h.sshd] : []));
  // Children of a loopback sshd (its sessions) would outlive it: note them, with start times, before it goes.
  const children = state.mode === 'loopback' ? sshds.flatMap((p) => descendants(p.pid)) : [];
  // libvirtd first, by its recorded pid and gracefully: it stops no guest, and the namespace sweep below ends those.
  for (const h of state.hosts) report.stopped.push(...(await stopLibvirt(h)));
  const inNamespaces: RecordedProcess[] = [];
  for (const h of state.hosts) inNamespaces.push(...(await namespaceProcesses(h, sshds)));
  for (const p of sshds) if (await stopRecorded(p)) report.stopped.push(p.pid);
  const rest = await Promise.all(
    [...children, ...inNamespaces].map(async (p) => ((await stopRecorded(p)) ? p.pid : 0)),
  );
  report.stopped.push(...rest.filter(Boolean));
  // Their overlays went with their mount namespaces (the last process of each): only the folders remain.
  for (const h of state.hosts) if (h.root && removeUpper(state, h)) report.deleted.push(`upper ${h.name}`);
  for (const h of state.hosts) {
    if (h.netns && (await deleteNetns(h.netns))) report.deleted.push(`netns ${h.netns}`);
    for (const link of [h.vethHost, h.vethPeer])
      if (link && (await deleteLink(link))) report.deleted.push(`link ${link}`);
  }
  if (state.bridge && (await deleteLink(state.bridge))) report.deleted.push(`bridge ${state.bridge}`);
  rmSync(state.labYaml, { force: true });
  rmSync(state.knownHosts, { force: true });
  removeState(dir);
  return report;
}

/** One host's processes: its sshd first (no new sessions), then whatever else runs in its namespace. */
export async function stopHost(host: LabHost): Promise<number[]> {
  const daemons = await stopLibvirt(host);
  host.libvirt = undefined;
  const sshd = host.sshd && isAlive(host.sshd) ? [host.sshd] : [];
  const rest = await namespaceProcesses(host, sshd);
  const stopped = [];
  for (const p of sshd) if (await stopRecorded(p)) stopped.push(p.pid);
  const others = await Promise.all(rest.map(async (p) => ((await stopRecorded(p)) ? p.pid : 0)));
  return [...daemons, ...stopped, ...others.filter(Boolean)];
}

/** Processes in the host's network namespace (sessions, VMs), with start times, but for `except`. */
async function namespaceProcesses(host: LabHost, except: RecordedProcess[]): Promise<RecordedProcess[]> {
  const found: RecordedProcess[] = [];
  for (const pid of host.netns ? await netnsPids(host.netns) : []) {
    const s = readStat(pid);
    if (s && !except.some((p) => p.pid === pid)) found.push({ pid, startTime: s.startTime });
  }
  return found;
}
