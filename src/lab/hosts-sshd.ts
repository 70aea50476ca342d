import { readFileSync, writeFileSync } from 'node:fs';
import { HwqualError } from '../model/errors.ts';
import { labYamlText, osLabel } from './lab-yaml.ts';
import { hostRootDirs } from './names.ts';
import { stopRecorded } from './proc.ts';
import { freshUpper } from './roots.ts';
import { runsLibvirt, startLibvirt } from './libvirtd.ts';
import { knownHostsLine, sshdConfigText } from './sshd-config.ts';
import { ensureKey, logTail, pickPort, startSshd, waitForSshd } from './sshd.ts';
import { allOrFirstError } from './settle.ts';
import { writeState } from './state.ts';
import type { LabHost, LabState } from './types.ts';

/** Host keys and one sshd per host (each recorded before we wait on it; hosts in parallel). */
export async function startHosts(state: LabState): Promise<void> {
  await ensureKey(state.identityFile, `hwqual-lab-client@${state.id}`);
  await allOrFirstError(
    state.hosts.map(async (host) => {
      await ensureKey(host.hostKey, `hwqual-lab-${host.name}@${state.id}`);
      await startOne(state, host);
    }),
  );
}

/** known_hosts (from the host keys) and lab.yaml: what a client of the lab reads. Idempotent. */
export function writeClientFiles(state: LabState): void {
  const lines = state.hosts.map((h) => knownHostsLine(h.address, h.port, readFileSync(`${h.hostKey}.pub`, 'utf8')));
  writeFileSync(state.knownHosts, `${lines.join('\n')}\n`);
  writeLabYaml(state);
}

function writeLabYaml(state: LabState): void {
  let os = 'linux';
  try {
    os = osLabel(readFileSync('/etc/os-release', 'utf8'));
  } catch {
    /* keep 'linux' */
  }
  writeFileSync(state.labYaml, labYamlText(state, os));
}

/**
 * Start (or restart) one host's sshd and wait until it listens; an own-root host starts on a fresh upper, and one with
 * the `+libvirt` variant gets its virtlogd and libvirtd (libvirtd.ts).
 */
export async function startOne(state: LabState, host: LabHost): Promise<void> {
  // Loopback hosts share 127.0.0.x with other labs: another lab may take a port between our check and sshd's bind.
  const attempts = state.mode === 'loopback' ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    if (state.mode === 'loopback') host.port = await pickPort(host.address, attempt === 1 ? 22 : 0);
    writeFileSync(
      host.sshdConfig,
      sshdConfigText({
        address: host.address,
        port: host.port,
        hostKey: host.hostKey,
        authorizedKeys: `${state.identityFile}.pub`,
      }),
    );
    if (host.root) freshUpper(state, host);
    const proc = startSshd({
      config: host.sshdConfig,
      logFile: host.logFile,
      host: host.netns
        ? {
            netns: host.netns,
            labDir: state.dir,
            ...(host.root && {
              root: { ...hostRootDirs(state.dir, host.name), lower: host.root.lower, kvm: Boolean(state.kvm?.node) },
            }),
          }
        : undefined,
    });
    if (!proc)
      throw new HwqualError('E_COMMAND', `sshd of ${host.name} did not start: ${logTail(host.logFile) || 'no log'}`, {
        host: host.name,
      });
    host.sshd = proc;
    writeState(state);
    try {
      await waitForSshd({ host: host.name, address: host.address, port: host.port, proc, logFile: host.logFile });
    } catch (err) {
      await stopRecorded(proc);
      const inUse = /Address already in use/.test(logTail(host.logFile, 10));
      if (!inUse || attempt >= attempts) throw err;
      continue;
    }
    if (runsLibvirt(host)) {
      await startLibvirt(state, host);
      writeState(state);
    }
    return;
  }
}
