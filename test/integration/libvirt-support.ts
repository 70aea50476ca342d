import { execFileSync } from 'node:child_process';
import type { LabState } from '../../src/lab/index.ts';
import type { RunResults } from '../../src/model/result.ts';
import { DOMAIN_PREFIX } from '../../src/vm/libvirt/libvirt-vm.ts';

/** hwqual's domains (running or only defined) in a lab host's libvirt, asked inside the host's namespaces. */
export function hwqualDomains(state: LabState, host: string): string[] {
  const h = state.hosts.find((x) => x.name === host)!;
  const out = execFileSync(
    'nsenter',
    ['-t', String(h.sshd!.pid), '-m', '-n', '-r', 'virsh', '-q', '-c', 'qemu:///system', 'list', '--all', '--name'],
    { encoding: 'utf8' },
  );
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith(DOMAIN_PREFIX));
}

/** QEMU processes inside a lab host's network namespace. */
export function qemuIn(state: LabState, host: string): string[] {
  const ns = state.hosts.find((x) => x.name === host)!.netns!;
  return execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .filter((p) => {
      try {
        return /^qemu/.test(execFileSync('cat', [`/proc/${p}/comm`], { encoding: 'utf8' }));
      } catch {
        return false;
      }
    });
}

/** Nothing of hwqual's guests on any host of the lab: no domain in `virsh list --all`, no QEMU. */
export function leftOnLab(state: LabState): string[] {
  return state.hosts.flatMap((h) => [
    ...hwqualDomains(state, h.name).map((d) => `${h.name}: domain ${d}`),
    ...qemuIn(state, h.name).map((p) => `${h.name}: qemu pid ${p}`),
  ]);
}

export const caseOf = (r: RunResults, id: string) => {
  const c = r.cases.find((x) => x.id === id);
  if (!c) throw new Error(`no case ${id} in ${r.cases.map((x) => x.id).join(', ')}`);
  return c;
};

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A plan whose one migration (node-a → node-b, libvirt) is still running minutes later: for SIGINT tests. */
export function inFlightMigrationPlan(name: string): Record<string, unknown> {
  return {
    name,
    suites: ['live-migration'],
    driver: 'libvirt',
    accel: 'tcg',
    // Dirtying faster than the 8 MiB/s it may be sent at: it does not converge, and hwqual's deadline is far.
    migration: {
      pairs: [['node-a', 'node-b']],
      machine: 'pc-q35-7.2',
      cpuModel: 'Westmere',
      guest: { memoryMiB: 256, wssMiB: 48, dirtyMiBps: 64 },
      'max-bandwidth': 8,
      deadline: 300,
    },
  };
}

/** Until the migration runs: the domain on A, and the incoming one libvirt prepared on B. */
export function untilMigrationInFlight(state: LabState): Promise<void> {
  return waitFor(
    () => hwqualDomains(state, 'node-a').length > 0 && hwqualDomains(state, 'node-b').length > 0,
    120_000,
    'a migration in flight',
  );
}
