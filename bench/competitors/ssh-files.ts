// OpenSSH client files for the competitors that use the `ssh` binary or read ssh_config (testinfra, raw ssh, floor).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const controlDirs: string[] = [];

/** A short folder for ssh control sockets (a socket path must fit in 108 bytes); removed by removeControlDirs. */
export function controlDir(): string {
  const d = mkdtempSync('/tmp/hwqcm-');
  controlDirs.push(d);
  return d;
}

export function removeControlDirs(): void {
  for (const d of controlDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface BenchHost {
  name: string;
  address: string;
  port: number;
}
export interface BenchLab {
  hosts: BenchHost[];
  user: string;
  identityFile: string;
  knownHosts: string;
  labYaml: string;
}

/**
 * An ssh_config naming each lab host (Host node-a → HostName …), strict host keys from the lab's known_hosts, and —
 * with `control` — connection sharing as OpenSSH's docs describe it (ControlMaster auto, ControlPersist).
 */
export function writeSshConfig(dir: string, lab: BenchLab, control: boolean): string {
  const file = join(dir, control ? 'ssh_config.control' : 'ssh_config');
  const lines = [
    ...lab.hosts.flatMap((h) => [`Host ${h.name}`, `  HostName ${h.address}`, `  Port ${h.port}`]),
    'Host *',
    `  User ${lab.user}`,
    `  IdentityFile ${lab.identityFile}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${lab.knownHosts}`,
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
    '  LogLevel ERROR',
    ...(control ? ['  ControlMaster auto', `  ControlPath ${join(controlDir(), '%C')}`, '  ControlPersist 60s'] : []),
    '',
  ];
  writeFileSync(file, lines.join('\n'));
  return file;
}
