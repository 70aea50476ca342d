import { describe, expect, it } from 'vitest';
import type { HostConfig } from '../../src/config/types.ts';
import { createTransport } from '../../src/transport/create.ts';
import { LocalTransport } from '../../src/transport/local.ts';
import { SshTransport } from '../../src/transport/ssh.ts';

const host = (name: string, extra: Partial<HostConfig> = {}): HostConfig => ({
  name,
  address: '192.0.2.1',
  migrationAddress: '192.0.2.1',
  port: 22,
  user: 'root',
  knownHosts: '/nonexistent',
  labels: {},
  ssh: { maxChannels: 8, keepaliveIntervalSec: 5, keepaliveCountMax: 3, connectTimeoutSec: 10, agent: false },
  ...extra,
});

describe('createTransport (no connection is made)', () => {
  it('returns LocalTransport for address "local" and SshTransport otherwise', () => {
    expect(createTransport(host('me', { address: 'local' }), { hosts: [] })).toBeInstanceOf(LocalTransport);
    const t = createTransport(host('a'), { hosts: [] });
    expect(t).toBeInstanceOf(SshTransport);
    expect(t.host).toBe('a');
  });

  it('rejects an unknown jump host, a jump cycle and a local jump host as config errors', () => {
    const lab = {
      hosts: [
        host('a', { jump: 'b' }),
        host('b', { jump: 'c' }),
        host('c', { jump: 'a' }),
        host('l', { address: 'local' }),
      ],
    };
    expect(() => createTransport(host('x', { jump: 'nope' }), lab)).toThrow(
      expect.objectContaining({ code: 'E_CONFIG', message: expect.stringMatching(/"nope" is not in the lab/) }),
    );
    expect(() => createTransport(lab.hosts[0]!, lab)).toThrow(
      expect.objectContaining({ code: 'E_CONFIG', message: expect.stringMatching(/a → b → c → a/) }),
    );
    expect(() => createTransport(host('y', { jump: 'y' }), { hosts: [host('y', { jump: 'y' })] })).toThrow(
      expect.objectContaining({ code: 'E_CONFIG' }),
    );
    expect(() => createTransport(host('z', { jump: 'l' }), lab)).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
  });
});
