// ansible.cfg and inventory for the playbook competitor, tuned as Ansible's docs advise for speed: SSH pipelining,
// ControlPersist, forks ≥ hosts, no fact gathering, a fixed interpreter (no discovery), no retry files.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { controlDir, type BenchLab } from './ssh-files.ts';

export function writeAnsibleFiles(dir: string, lab: BenchLab): { config: string; inventory: string } {
  const inventory = join(dir, 'inventory.ini');
  writeFileSync(
    inventory,
    ['[lab]', ...lab.hosts.map((h) => `${h.name} ansible_host=${h.address} ansible_port=${h.port}`), ''].join('\n'),
  );
  const config = join(dir, 'ansible.cfg');
  writeFileSync(
    config,
    [
      '[defaults]',
      `inventory = ${inventory}`,
      `forks = ${Math.max(lab.hosts.length, 5)}`,
      'gathering = explicit',
      'host_key_checking = True',
      'interpreter_python = /usr/bin/python3',
      `remote_user = ${lab.user}`,
      `private_key_file = ${lab.identityFile}`,
      'retry_files_enabled = False',
      `local_tmp = ${join(dir, 'ansible-local')}`,
      'nocows = True',
      '',
      '[ssh_connection]',
      'pipelining = True',
      `ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${lab.knownHosts} ` +
        '-o IdentitiesOnly=yes -o BatchMode=yes',
      `control_path_dir = ${controlDir()}`,
      '',
    ].join('\n'),
  );
  return { config, inventory };
}
