import type { HostConnection } from '../config/host-connection.ts';
import { HwqualError } from '../model/errors.ts';
import { LocalTransport } from './local.ts';
import { SshTransport, type JumpLink } from './ssh.ts';
import type { Transport } from './types.ts';

interface SharedJump {
  transport: SshTransport;
  users: number;
}

/** Jump transports per lab, shared by every host behind the same jump host (one connection to it). */
const jumpsByLab = new WeakMap<object, Map<string, SharedJump>>();

/** The transport for one lab host: LocalTransport for address 'local', else SSH (through its jump host, if any). */
export function createTransport(host: HostConnection, lab: { hosts: HostConnection[] }): Transport {
  if (host.address === 'local') return new LocalTransport(host.name);
  return sshTransport(host, lab, [host.name]);
}

function sshTransport(host: HostConnection, lab: { hosts: HostConnection[] }, chain: string[]): SshTransport {
  if (!host.jump) return new SshTransport(host);
  if (chain.includes(host.jump)) {
    throw new HwqualError(
      'E_CONFIG',
      `host ${chain[0]}: jump hosts form a cycle: ${[...chain, host.jump].join(' → ')}`,
      { host: chain[0] },
    );
  }
  const jumpHost = lab.hosts.find((h) => h.name === host.jump);
  if (!jumpHost)
    throw new HwqualError('E_CONFIG', `host ${host.name}: jump host "${host.jump}" is not in the lab`, {
      host: host.name,
    });
  if (jumpHost.address === 'local')
    throw new HwqualError(
      'E_CONFIG',
      `host ${host.name}: jump host "${host.jump}" is local; jump through an SSH host`,
      { host: host.name },
    );
  return new SshTransport(host, acquireJump(jumpHost, lab, [...chain, host.jump]));
}

function acquireJump(jumpHost: HostConnection, lab: { hosts: HostConnection[] }, chain: string[]): JumpLink {
  let pool = jumpsByLab.get(lab);
  if (!pool) jumpsByLab.set(lab, (pool = new Map()));
  let shared = pool.get(jumpHost.name);
  if (!shared) pool.set(jumpHost.name, (shared = { transport: sshTransport(jumpHost, lab, chain), users: 0 }));
  shared.users++;
  const entry = shared;
  let released = false;
  return {
    transport: entry.transport,
    release: async () => {
      if (released) return;
      released = true;
      if (--entry.users > 0) return;
      pool!.delete(jumpHost.name);
      await entry.transport.close();
    },
  };
}
