// Ranged reads (FileOptions.range): how a VM's growing console file is followed without a process per poll.
import { appendFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../support/temp-dir.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalTransport } from '../../src/transport/local.ts';
import { saveProfile, type HostProfileData } from '../../src/transport/profile.ts';
import { ReplayTransport } from '../../src/transport/replay.ts';
import { ConsoleReader } from '../../src/vm/console.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const tmp = async () => {
  const d = tempDir('hwqual-range-');
  dirs.push(d);
  return d;
};

describe('readFile with a byte range', () => {
  it('local: at most length bytes from offset, empty past the end, a missing file is E_COMMAND', async () => {
    const d = await tmp();
    const f = join(d, 'console.log');
    await writeFile(f, 'hello, world');
    const t = new LocalTransport('local');
    expect((await t.readFile(f, { range: { offset: 7, length: 3 } })).toString()).toBe('wor');
    expect((await t.readFile(f, { range: { offset: 7, length: 100 } })).toString()).toBe('world');
    expect((await t.readFile(f, { range: { offset: 50, length: 4 } })).length).toBe(0);
    await expect(t.readFile(join(d, 'nope'), { range: { offset: 0, length: 4 } })).rejects.toMatchObject({
      code: 'E_COMMAND',
    });
  });

  it('replay: the range of the recorded file', async () => {
    const d = await tmp();
    const at = '2025-01-02T03:04:05.000Z';
    const data: HostProfileData = {
      meta: {
        format: 1,
        name: 'box',
        origin: 'recorded',
        recordedAt: at,
        hwqualVersion: '0.1.0',
        recordedFrom: { host: 'box', address: 'x', transport: 'ssh' },
        sources: [{ what: 'test' }],
      },
      commands: [],
      files: [{ path: '/etc/hostname', content: 'box-1\n', encoding: 'utf8', recordedAt: at, host: 'box' }],
    };
    await saveProfile(d, data);
    const t = await ReplayTransport.open(d);
    expect((await t.readFile('/etc/hostname', { range: { offset: 4, length: 10 } })).toString()).toBe('1\n');
  });

  it('the console reader follows a growing file by ranges, across a multi-byte character split by polls', async () => {
    const d = await tmp();
    const f = join(d, 'console.log');
    const c = new ConsoleReader(new LocalTransport('local'), f);
    expect(await c.poll()).toBe(0); // not there yet: nothing new, no error
    await writeFile(f, Buffer.concat([Buffer.from('boot… '), Buffer.from('é').subarray(0, 1)]));
    await c.poll();
    await appendFile(f, Buffer.concat([Buffer.from('é').subarray(1), Buffer.from('\r\nHWQUAL-READY\n')]));
    await c.poll();
    expect(c.text).toBe('boot… é\nHWQUAL-READY\n');
  });
});
