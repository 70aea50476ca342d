import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { tempDir } from '../support/temp-dir.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HwqualError } from '../../src/model/errors.ts';
import { LocalTransport } from '../../src/transport/local.ts';
import { loadProfile } from '../../src/transport/profile.ts';
import { QmpReplayStream } from '../../src/transport/qmp-replay.ts';
import { RecordingTransport } from '../../src/transport/recording.ts';
import { ReplayTransport } from '../../src/transport/replay.ts';
import { parseQmpLog } from '../../src/transport/replay-qmp-log.ts';

/** Read QMP replies line by line from a stream. */
function reader(s: Duplex): () => Promise<Record<string, any>> {
  let buf = '';
  const lines: string[] = [];
  const waiters: Array<(l: string) => void> = [];
  s.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (l) {
        const w = waiters.shift();
        if (w) w(l);
        else lines.push(l);
      }
    }
  });
  return async () => JSON.parse(lines.shift() ?? (await new Promise<string>((r) => waiters.push(r))));
}

let dir: string;
let server: Server;
const socket = () => join(dir, 'qmp.sock');

beforeAll(async () => {
  dir = tempDir('hwqual-recording-');
  await writeFile(join(dir, 'hello.txt'), 'hello\n');
  // A QMP server on a real unix socket, played from the Ryzen 3900X conversation libvirt recorded.
  const [session] = parseQmpLog(
    await readFile(
      join(import.meta.dirname, '../../fixtures/hosts/qmp-ryzen-3900x-qemu-7.2/qmp/ryzen-3900x-qemu-7.2.replies'),
      'utf8',
    ),
  );
  server = createServer((conn) => {
    const q = new QmpReplayStream(session, 'ryzen');
    conn.pipe(q).pipe(conn);
  });
  await new Promise<void>((r) => server.listen(socket(), r));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('RecordingTransport', () => {
  it('records commands, files and a QMP conversation through a live transport; replay answers the same', async () => {
    const rec = new RecordingTransport(new LocalTransport('here'), '127.0.0.1');
    expect(rec.kind).toBe('recording');
    const live = await rec.exec('echo out; echo err >&2; exit 3');
    const text = await rec.readFile(join(dir, 'hello.txt'));
    const missing = await rec.readFile(join(dir, 'absent')).catch((e: HwqualError) => e);
    expect(missing).toBeInstanceOf(HwqualError);

    const s = await rec.forwardUnixSocket(socket());
    const next = reader(s);
    const greeting = await next();
    s.write(`${JSON.stringify({ execute: 'qmp_capabilities', id: 1 })}\n`);
    await next();
    s.write(`${JSON.stringify({ execute: 'query-version', id: 'v' })}\n`);
    const version = await next();
    s.write(`${JSON.stringify({ execute: 'query-kvm', id: 'k' })}\n`);
    const kvm = await next();
    await new Promise<void>((r) => {
      s.once('close', () => r());
      s.end();
      s.resume();
    });

    expect(rec.commands).toHaveLength(1);
    expect(rec.commands[0]).toMatchObject({
      command: 'echo out; echo err >&2; exit 3',
      stdout: 'out\n',
      stderr: 'err\n',
      exitCode: 3,
      host: 'here',
    });
    expect(Date.parse(rec.commands[0].recordedAt)).not.toBeNaN();
    expect(rec.qmp.get(socket())?.[0].exchanges.map((x) => x.request.execute)).toEqual([
      'qmp_capabilities',
      'query-version',
      'query-kvm',
    ]);

    const out = join(dir, 'profile');
    await rec.save(out, { name: 'here-box' });
    const profile = await loadProfile(out);
    expect(profile.meta).toMatchObject({
      name: 'here-box',
      origin: 'recorded',
      recordedFrom: { host: 'here', address: '127.0.0.1', transport: 'local' },
    });
    expect(profile.meta.qmp).toEqual([{ socket: socket(), file: 'qmp/qmp.sock.replies' }]);

    const replay = new ReplayTransport(profile);
    const again = await replay.exec('echo out; echo err >&2; exit 3');
    expect({ ...again, startedAt: '', durationMs: 0 }).toEqual({
      ...live,
      host: 'here-box',
      startedAt: '',
      durationMs: 0,
    });
    expect(await replay.readFile(join(dir, 'hello.txt'))).toEqual(text);
    const missingAgain = await replay.readFile(join(dir, 'absent')).catch((e: HwqualError) => e);
    expect(missingAgain).toMatchObject({
      code: (missing as HwqualError).code,
      message: (missing as HwqualError).message,
    });

    const r = await replay.forwardUnixSocket(socket());
    const rnext = reader(r);
    expect(await rnext()).toEqual(greeting);
    r.write(`${JSON.stringify({ execute: 'qmp_capabilities' })}\n`);
    await rnext();
    r.write(`${JSON.stringify({ execute: 'query-kvm', id: 'k' })}\n`);
    expect(await rnext()).toEqual(kvm);
    r.write(`${JSON.stringify({ execute: 'query-version', id: 'v' })}\n`);
    expect(await rnext()).toEqual(version);
    r.write(`${JSON.stringify({ execute: 'query-machines', id: 'm' })}\n`);
    expect((await rnext()).error.desc).toContain('not recorded');
  });

  it('does not record infrastructure faults, and passes them on', async () => {
    const rec = new RecordingTransport(new LocalTransport('here'));
    const err = await rec.forwardUnixSocket(join(dir, 'no-such.sock')).catch((e: HwqualError) => e);
    expect(err).toBeInstanceOf(HwqualError);
    expect(rec.qmp.size).toBe(0);
    expect(rec.toProfile().meta.qmp).toBeUndefined();
  });
});
