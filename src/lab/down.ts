import { existsSync, rmSync } from 'node:fs';
import { withLabLock } from './lock.ts';
import { labDir } from './names.ts';
import { deleteLink, deleteNetns, netnsPids } from './netns.ts';
import { descendants, isAlive, readStat, stopRecorded } from './proc.ts';
import { readState, removeState } from './state.ts';
import type { RecordedProcess } from './types.ts';

export interface LabDownReport {
  dir: string;
  found: boolean;
  /** Pids that got a signal (each still had its recorded start time). */
  stopped: number[];
  /** Namespaces and links deleted. */
  deleted: string[];
}

/**
 * Undo what the state file records: its sshds (only while pid and start time still match), every process inside
 * its namespaces (sessions run there), then namespaces, veths and the bridge. Works after a crash and twice.
 * Keys stay, so a later `up` keeps the same known_hosts.
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
  const inNamespaces: RecordedProcess[] = [];
  for (const h of state.hosts) {
    for (const pid of h.netns ? await netnsPids(h.netns) : []) {
      const s = readStat(pid);
      if (s && !sshds.some((p) => p.pid === pid)) inNamespaces.push({ pid, startTime: s.startTime });
    }
  }
  for (const p of sshds) if (await stopRecorded(p)) report.stopped.push(p.pid);
  const rest = await Promise.all(
    [...children, ...inNamespaces].map(async (p) => ((await stopRecorded(p)) ? p.pid : 0)),
  );
  report.stopped.push(...rest.filter(Boolean));
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
