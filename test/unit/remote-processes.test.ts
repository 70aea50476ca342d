import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { HwqualError } from '../../src/model/errors.ts';
import { RemoteProcessRegistry } from '../../src/transport/remote-processes.ts';
import type { SshConnection } from '../../src/transport/ssh-connection.ts';
import { runEmergencyCleanups } from '../../src/util/emergency.ts';

/** A connection that records the commands its channels run, each channel closing once its input ends. */
function fakeConnection(host: string, lost?: string) {
  const scripts: string[] = [];
  const conn = {
    host: { name: host },
    lost: lost ? new HwqualError('E_CONNECTION_LOST', lost) : null,
    client: {
      exec(script: string, cb: (err: Error | undefined, ch: unknown) => void) {
        scripts.push(script);
        const ch = Object.assign(new EventEmitter(), {
          stderr: { resume() {} },
          resume() {},
          close() {},
          end: () => setImmediate(() => ch.emit('close')),
        });
        cb(undefined, ch);
      },
    },
    channel: async (open: (cb: (err: Error | undefined, ch: unknown) => void) => void) =>
      new Promise((resolve, reject) => open((err, ch) => (err ? reject(err) : resolve(ch)))),
  };
  return { conn: conn as unknown as SshConnection, scripts };
}

const group = (host: string, pgid: number) => ({
  host,
  channel: 'exec' as const,
  kill: `kill -s KILL -- -${pgid}`,
  command: `sleep ${pgid}`,
});

describe('the remote-process registry', () => {
  it('kills every running process with one channel per host; ended ones are left alone', async () => {
    const lines: string[] = [];
    const registry = new RemoteProcessRegistry((l) => lines.push(l));
    const a = fakeConnection('node-a');
    const b = fakeConnection('node-b');
    registry.add(a.conn, group('node-a', 101));
    const ended = registry.add(a.conn, group('node-a', 102));
    registry.add(a.conn, group('node-a', 103));
    registry.add(b.conn, group('node-b', 201));
    ended();
    expect(registry.list().map((p) => p.command)).toEqual(['sleep 101', 'sleep 103', 'sleep 201']);
    await runEmergencyCleanups(2000); // the second-signal path: the registry registered itself once
    expect(a.scripts).toEqual(['{ kill -s KILL -- -101; kill -s KILL -- -103; } 2>/dev/null; exit 0']);
    expect(b.scripts).toEqual(['{ kill -s KILL -- -201; } 2>/dev/null; exit 0']);
    expect(lines).toEqual([
      'hwqual: killed 2 remote command(s) on node-a',
      'hwqual: killed 1 remote command(s) on node-b',
    ]);
  });

  it('says which hosts it could not reach; with nothing running it registers nothing', async () => {
    const lines: string[] = [];
    const registry = new RemoteProcessRegistry((l) => lines.push(l));
    const gone = fakeConnection('node-c', 'node-c: connection lost');
    registry.add(gone.conn, group('node-c', 301));
    expect(await registry.killAll(500)).toEqual([
      { host: 'node-c', processes: 1, error: 'connection lost (node-c: connection lost)' },
    ]);
    const idle = new RemoteProcessRegistry((l) => lines.push(l));
    const off = idle.add(fakeConnection('node-d').conn, group('node-d', 401));
    off();
    expect(await idle.killAll(500)).toEqual([]);
    expect(gone.scripts).toEqual([]);
  });
});
