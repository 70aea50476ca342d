// A host behind a jump host: two real sshds on 127.0.0.1; the target's SSH connection runs inside a
// direct-tcpip channel of the bastion's connection, opened by createTransport from the lab's host list.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostConfig } from '../../src/config/types.ts';
import { createTransport } from '../../src/transport/create.ts';
import type { SshTransport } from '../../src/transport/ssh.ts';
import { startSshd, type SshdHandle } from '../support/sshd.ts';

let bastion: SshdHandle;
let target: SshdHandle;
let lab: { hosts: HostConfig[] };

beforeAll(async () => {
  bastion = await startSshd({ name: 'bastion' });
  target = await startSshd({ name: 'target' });
  lab = {
    hosts: [
      bastion.host,
      target.hostConfig({ jump: 'bastion' }),
      target.hostConfig({ name: 'target2', jump: 'bastion' }),
    ],
  };
});
afterAll(async () => {
  await target?.stop();
  await bastion?.stop();
});

/** The process that owns the local TCP endpoint 127.0.0.1:port, as `ss -tnp` names it. */
function ownerOfLocalPort(port: number): string {
  const out = execFileSync('ss', ['-Htnp', 'state', 'established', `( sport = :${port} )`]).toString();
  return /users:\(\("([^"]+)"/.exec(out)?.[1] ?? `(none: ${out.trim()})`;
}

describe('jump host', () => {
  it('reaches the target through the bastion, one connection each, shared by hosts behind it', async () => {
    const t = createTransport(lab.hosts[1]!, lab) as SshTransport;
    const t2 = createTransport(lab.hosts[2]!, lab) as SshTransport;
    try {
      expect(t.kind).toBe('ssh');
      const [a, b] = await Promise.all([t.exec('echo $SSH_CONNECTION'), t2.exec('hostname')]);
      const [, clientPort, , serverPort] = a.stdout.trim().split(' ');
      expect(Number(serverPort)).toBe(target.port);
      // The target's peer is the bastion's sshd (it made the TCP connection), not this node process.
      expect(ownerOfLocalPort(Number(clientPort))).toBe('sshd');
      expect(b.exitCode).toBe(0);
      await Promise.all(Array.from({ length: 12 }, () => t.exec('true')));
      expect(bastion.acceptedConnections()).toBe(1);
      expect(target.acceptedConnections()).toBe(2); // target and target2: one each
      expect(t.connectionsOpened).toBe(1);
    } finally {
      await t.close();
      await t2.close();
    }
  });

  it('a target behind a dead bastion is unreachable, naming the bastion', async () => {
    const host = { ...bastion.host, name: 'dead', port: 1 };
    const t = createTransport({ ...target.host, jump: 'dead' }, { hosts: [host] });
    try {
      await expect(t.exec('true')).rejects.toMatchObject({
        code: 'E_HOST_UNREACHABLE',
        message: expect.stringMatching(/dead/),
      });
    } finally {
      await t.close();
    }
  });
});
