import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../support/temp-dir.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HwqualError } from '../../src/model/errors.ts';
import { CommandError } from '../../src/transport/command-error.ts';
import { loadProfile, saveProfile, type HostProfileData } from '../../src/transport/profile.ts';
import { ReplayTransport } from '../../src/transport/replay.ts';

const at = '2025-01-02T03:04:05.000Z';
const data: HostProfileData = {
  meta: {
    format: 1,
    name: 'box-1',
    origin: 'recorded',
    recordedAt: at,
    hwqualVersion: '0.1.0',
    recordedFrom: { host: 'box-1', address: '10.0.0.1', transport: 'ssh' },
    sources: [{ what: 'recorded live' }],
  },
  commands: [
    { command: 'uname -r', stdout: '6.1.0-18-amd64\n', stderr: '', exitCode: 0, recordedAt: at, host: 'box-1' },
    {
      command: 'ls /nope',
      stdout: '',
      stderr: "ls: cannot access '/nope'\n",
      exitCode: 2,
      recordedAt: at,
      host: 'box-1',
    },
    { command: 'counter', stdout: 'one\n', stderr: '', exitCode: 0, recordedAt: at, host: 'box-1' },
    { command: 'counter', stdout: 'two\n', stderr: '', exitCode: 0, recordedAt: at, host: 'box-1' },
    {
      command: 'sleep 99',
      stdout: 'partial',
      stderr: '',
      exitCode: null,
      timedOut: true,
      recordedAt: at,
      host: 'box-1',
    },
  ],
  files: [
    { path: '/etc/hostname', content: 'box-1\n', encoding: 'utf8', recordedAt: at, host: 'box-1' },
    {
      path: '/bin/blob',
      content: Buffer.from([0xff, 0x00, 0xfe]).toString('base64'),
      encoding: 'base64',
      recordedAt: at,
      host: 'box-1',
    },
    {
      path: '/etc/absent',
      error: { code: 'E_COMMAND', message: 'read /etc/absent on box-1: ENOENT', errno: 'ENOENT' },
      recordedAt: at,
      host: 'box-1',
    },
  ],
};

let dir: string;
let t: ReplayTransport;
beforeAll(async () => {
  dir = tempDir('hwqual-replay-');
  await saveProfile(dir, data);
  t = await ReplayTransport.open(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<HwqualError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HwqualError);
  return err as HwqualError;
}

describe('ReplayTransport', () => {
  it('says what it is and where its answers come from', () => {
    expect(t.kind).toBe('replay');
    expect(t.host).toBe('box-1');
    expect(t.replayedFrom).toBe(dir);
    expect(t.origin).toBe('recorded');
  });

  it('answers a recorded command with its stdout, stderr and exit code, under this host', async () => {
    const ok = await t.exec('uname -r');
    expect(ok).toMatchObject({
      host: 'box-1',
      command: 'uname -r',
      stdout: '6.1.0-18-amd64\n',
      exitCode: 0,
      timedOut: false,
    });
    const bad = await t.exec('ls /nope');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('cannot access');
  });

  it('gives a command recorded twice its answers in order, then repeats the last', async () => {
    const r = new ReplayTransport(await loadProfile(dir));
    const outs = [];
    for (let i = 0; i < 3; i++) outs.push((await r.exec('counter')).stdout);
    expect(outs).toEqual(['one\n', 'two\n', 'two\n']);
  });

  it('rejects a command that was not recorded with E_NOT_RECORDED naming the command — never a guess', async () => {
    const err = await rejection(t.exec('uname -a'));
    expect(err.code).toBe('E_NOT_RECORDED');
    expect(err.message).toBe(`not recorded in ${dir}: uname -a`);
    expect(err.host).toBe('box-1');
    // a near miss is still a miss: the key is the exact command string
    expect((await rejection(t.exec('uname -r '))).code).toBe('E_NOT_RECORDED');
  });

  it('replays a recorded timeout as a timeout, and refuses to run when already cancelled', async () => {
    const err = await rejection(t.exec('sleep 99'));
    expect(err).toBeInstanceOf(CommandError);
    expect(err.code).toBe('E_TIMEOUT');
    expect((err as CommandError).result.stdout).toBe('partial');
    const ac = new AbortController();
    ac.abort();
    expect((await rejection(t.exec('uname -r', { signal: ac.signal }))).code).toBe('E_CANCELLED');
  });

  it('reads recorded files (text, binary), fails a recorded missing file alike, refuses unrecorded ones', async () => {
    expect((await t.readFile('/etc/hostname')).toString()).toBe('box-1\n');
    expect([...(await t.readFile('/bin/blob'))]).toEqual([0xff, 0x00, 0xfe]);
    const missing = await rejection(t.readFile('/etc/absent'));
    expect(missing.code).toBe('E_COMMAND');
    expect((missing.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    const unrecorded = await rejection(t.readFile('/etc/passwd'));
    expect(unrecorded.code).toBe('E_NOT_RECORDED');
    expect(unrecorded.message).toContain('/etc/passwd');
  });

  it('keeps writes in memory only: the same transport reads them back, a fresh one does not', async () => {
    const r = new ReplayTransport(await loadProfile(dir));
    await r.writeFile('/tmp/key', 'secret');
    expect((await r.readFile('/tmp/key')).toString()).toBe('secret');
    expect((await rejection(new ReplayTransport(await loadProfile(dir)).readFile('/tmp/key'))).code).toBe(
      'E_NOT_RECORDED',
    );
  });

  it('refuses a QMP socket the profile has no conversation for', async () => {
    const err = await rejection(t.forwardUnixSocket('/run/vm/qmp.sock'));
    expect(err.code).toBe('E_NOT_RECORDED');
    expect(err.message).toContain('/run/vm/qmp.sock');
  });
});

describe('loadProfile', () => {
  it('rejects a profile whose origin is not one of the two kinds, naming the file', async () => {
    const bad = tempDir('hwqual-replay-bad-');
    try {
      await writeFile(join(bad, 'profile.json'), JSON.stringify({ ...data.meta, origin: 'made-up' }));
      const err = await rejection(loadProfile(bad));
      expect(err.code).toBe('E_CONFIG');
      expect(err.message).toContain(join(bad, 'profile.json'));
      expect(err.message).toContain('origin');
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });

  it('round-trips a saved profile', async () => {
    const p = await loadProfile(dir);
    expect(p.meta).toEqual(data.meta);
    expect(p.commands).toEqual(data.commands);
    expect(p.files).toEqual(data.files);
  });
});
