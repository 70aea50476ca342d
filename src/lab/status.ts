import { labDir } from './names.ts';
import { linkAdminState, netnsExists } from './netns.ts';
import { MACHINE_ROOT } from './os-args.ts';
import { runsLibvirt } from './libvirtd.ts';
import { isAlive } from './proc.ts';
import { run } from './run.ts';
import { readState } from './state.ts';
import type { LabHost, LabHostStatus, LabState, LabStatus } from './types.ts';

/** What runs of the lab at `dir`, checked live (undefined when there is no lab). */
export async function labStatus(dir: string): Promise<LabStatus | undefined> {
  const state = readState(dir);
  if (!state) return undefined;
  const hosts = await Promise.all(
    state.hosts.map(
      async (h): Promise<LabHostStatus> => ({
        name: h.name,
        address: h.address,
        port: h.port,
        sshd: !h.sshd ? 'not started' : isAlive(h.sshd) ? 'running' : 'dead',
        ...(h.netns ? { netns: netnsExists(h.netns) ? ('present' as const) : ('missing' as const) } : {}),
        ...(h.vethHost ? { link: linkAdminState(h.vethHost), qdisc: await rootQdisc(h.vethHost) } : {}),
        os: h.root?.release ?? MACHINE_ROOT,
        ...(h.root && {
          root: { key: h.root.key, kvm: Boolean(state.kvm?.node), ...(h.root.offline && { offline: h.root.offline }) },
        }),
        ...(runsLibvirt(h) && { libvirt: libvirtStatus(h) }),
      }),
    ),
  );
  return {
    dir: labDir(dir),
    mode: state.mode,
    fallbackReason: state.fallbackReason,
    subnet: state.subnet,
    bridge: state.bridge,
    phase: state.phase,
    healthy: isHealthy(state, hosts),
    hosts,
    labYaml: state.labYaml,
    ...(state.kvm && { kvm: state.kvm }),
  };
}

function libvirtStatus(h: LabHost): NonNullable<LabHostStatus['libvirt']> {
  const lv = h.libvirt;
  return {
    libvirtd: !lv?.libvirtd ? 'not started' : isAlive(lv.libvirtd) ? 'running' : 'dead',
    ...(lv?.version && { version: lv.version }),
    ...(lv?.hypervisor && { hypervisor: lv.hypervisor }),
  };
}

export function isHealthy(state: LabState, hosts: LabHostStatus[]): boolean {
  const bridgeOk = state.mode !== 'netns' || linkAdminState(state.bridge!) === 'up';
  return (
    state.phase === 'running' &&
    bridgeOk &&
    hosts.every(
      (h) =>
        h.sshd === 'running' &&
        h.netns !== 'missing' &&
        h.link !== 'missing' &&
        (h.libvirt === undefined || h.libvirt.libvirtd === 'running'),
    )
  );
}

async function rootQdisc(dev: string): Promise<string | undefined> {
  const r = await run('tc', ['qdisc', 'show', 'dev', dev, 'root']);
  return r.exitCode === 0 ? r.stdout.trim().split('\n')[0] : undefined;
}
