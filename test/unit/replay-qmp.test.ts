import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { tempDir } from '../support/temp-dir.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveProfile } from '../../src/transport/profile.ts';
import { ReplayTransport } from '../../src/transport/replay.ts';
import { formatQmpLog, parseQmpLog, requestKey, type QmpSession } from '../../src/transport/replay-qmp-log.ts';

/**
 * Two whole QMP conversations libvirt had with QEMU on real hosts: byte-for-byte copies in the shipped profiles
 * (fixtures/hosts/README.md).
 */
const REPLIES = join(import.meta.dirname, '../../fixtures/hosts');
const FILES = {
  ryzen: 'qmp-ryzen-3900x-qemu-7.2/qmp/ryzen-3900x-qemu-7.2.replies',
  epyc: 'qmp-epyc-9654-sev-qemu-9.2/qmp/epyc-9654-sev-qemu-9.2.replies',
} as const;

/** A minimal QMP client: one JSON object per line, as QEMU (and the replay) write them. */
class LineClient {
  private buf = '';
  private lines: string[] = [];
  private waiters: Array<(line: string) => void> = [];
  constructor(private readonly s: Duplex) {
    s.on('data', (d: Buffer) => {
      this.buf += d.toString();
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i).trim();
        this.buf = this.buf.slice(i + 1);
        if (!line) continue;
        const w = this.waiters.shift();
        if (w) w(line);
        else this.lines.push(line);
      }
    });
  }
  nextRaw(): Promise<string> {
    const l = this.lines.shift();
    return l !== undefined ? Promise.resolve(l) : new Promise((r) => this.waiters.push(r));
  }
  async next(): Promise<Record<string, any>> {
    return JSON.parse(await this.nextRaw());
  }
  send(m: object): void {
    this.s.write(`${JSON.stringify(m)}\n`);
  }
  async cmd(m: object): Promise<Record<string, any>> {
    this.send(m);
    return this.next();
  }
}

const texts: Record<string, string> = {};
const sessions: Record<string, QmpSession[]> = {};
const dirs: Record<string, string> = {};
let root: string;

beforeAll(async () => {
  root = tempDir('hwqual-qmp-replay-');
  for (const [k, f] of Object.entries(FILES)) {
    texts[k] = await readFile(join(REPLIES, f), 'utf8');
    sessions[k] = parseQmpLog(texts[k], f);
    const dir = join(root, k);
    await mkdir(join(dir, 'qmp'), { recursive: true });
    await copyFile(join(REPLIES, f), join(dir, 'qmp', basename(f)));
    await saveProfile(dir, {
      meta: {
        format: 1,
        name: k,
        origin: 'assembled-from-public-dumps',
        recordedAt: '2025-01-01T00:00:00Z',
        hwqualVersion: '0.1.0',
        sources: [{ what: `libvirt tests/qemucapabilitiesdata, ${basename(f)}` }],
        qmp: [
          { socket: '*', file: `qmp/${basename(f)}` },
          { socket: '/pinned/kvm-only.sock', file: `qmp/${basename(f)}`, session: 1 },
        ],
      },
      commands: [],
      files: [],
    });
    dirs[k] = dir;
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function recorded(k: string, session: number, key: string) {
  return sessions[k][session].exchanges.find((x) => requestKey(x.request) === key)!.reply;
}

async function open(k: string, socket = '/run/hwqual/vm/qmp.sock'): Promise<[ReplayTransport, LineClient]> {
  const t = await ReplayTransport.open(dirs[k]);
  return [t, new LineClient(await t.forwardUnixSocket(socket))];
}

describe('the .replies layout', () => {
  it('reads both conversations as two sessions each (libvirt probes under KVM, then again under TCG)', () => {
    for (const k of ['ryzen', 'epyc']) {
      expect(sessions[k].map((s) => s.exchanges.length)).toEqual([51, 5]);
      expect(sessions[k][0].exchanges[0].request.execute).toBe('qmp_capabilities');
      expect(sessions[k][1].exchanges[0].request.execute).toBe('qmp_capabilities');
    }
  });

  it('writes them back byte for byte (u64 values keep their digits)', () => {
    for (const k of ['ryzen', 'epyc']) expect(formatQmpLog(sessions[k]) === texts[k]).toBe(true);
    expect(formatQmpLog(sessions.ryzen)).toContain('"default-value": 18446744073709551615');
  });
});

describe('QMP replay of a recorded conversation', () => {
  it('greets with the recorded QEMU version, refuses commands before capabilities negotiation', async () => {
    const [, c] = await open('ryzen');
    const greeting = await c.next();
    expect(greeting.QMP.version.qemu).toEqual({ major: 7, minor: 2, micro: 0 });
    const early = await c.cmd({ execute: 'query-version', id: 'early' });
    expect(early).toMatchObject({ error: { class: 'CommandNotFound' }, id: 'early' });
    expect(await c.cmd({ execute: 'qmp_capabilities', id: 1 })).toEqual({ return: {}, id: 1 });
  });

  it('answers recorded commands with the recorded reply, echoing the client id', async () => {
    const [, c] = await open('ryzen');
    await c.next();
    await c.cmd({ execute: 'qmp_capabilities' });
    const defs = await c.cmd({ execute: 'query-cpu-definitions', id: 'x-7' });
    expect(defs.id).toBe('x-7');
    expect(defs.return).toEqual(recorded('ryzen', 0, 'query-cpu-definitions {}').return);
    expect(defs.return.length).toBeGreaterThan(50);
    // arguments match whatever their key order
    const exp = await c.cmd({
      execute: 'query-cpu-model-expansion',
      arguments: { model: { name: 'host' }, type: 'static' },
      id: 2,
    });
    expect(exp.return).toEqual(
      recorded(
        'ryzen',
        0,
        requestKey({ execute: 'query-cpu-model-expansion', arguments: { type: 'static', model: { name: 'host' } } }),
      ).return,
    );
    expect(exp.return.model.props['model-id']).toContain('Ryzen 9 3900X');
    // the wire carries QEMU's exact digits, not a rounded double
    c.send({ execute: 'device-list-properties', arguments: { typename: 'pcie-root-port' }, id: 3 });
    const raw = await c.nextRaw();
    expect(raw).toContain('"default-value":18446744073709551615');
    expect(raw.endsWith('"id":3}')).toBe(true);
  });

  it('answers a command that was not recorded with a QMP error saying so', async () => {
    const [, c] = await open('ryzen');
    await c.next();
    await c.cmd({ execute: 'qmp_capabilities' });
    const r = await c.cmd({ execute: 'query-status', id: 9 });
    expect(r.id).toBe(9);
    expect(r.error.class).toBe('GenericError');
    expect(r.error.desc).toContain('not recorded in');
    expect(r.error.desc).toContain('query-status');
    // recorded command, unrecorded arguments: also an error, not the nearest answer
    const other = await c.cmd({
      execute: 'query-cpu-model-expansion',
      arguments: { type: 'full', model: { name: 'EPYC' } },
    });
    expect(other.error.desc).toContain('not recorded');
  });

  it('plays session n on the nth connection, unless the socket is pinned to a session', async () => {
    const t = await ReplayTransport.open(dirs.ryzen);
    const first = new LineClient(await t.forwardUnixSocket('/a/qmp.sock'));
    const second = new LineClient(await t.forwardUnixSocket('/a/qmp.sock'));
    const defs = [];
    for (const c of [first, second]) {
      await c.next();
      await c.cmd({ execute: 'qmp_capabilities' });
      defs.push((await c.cmd({ execute: 'query-cpu-definitions' })).return);
    }
    expect(defs[0]).toEqual(recorded('ryzen', 0, 'query-cpu-definitions {}').return);
    expect(defs[1]).toEqual(recorded('ryzen', 1, 'query-cpu-definitions {}').return);
    expect(defs[1]).not.toEqual(defs[0]);
    const pinned = [];
    for (let i = 0; i < 2; i++) {
      const c = new LineClient(await t.forwardUnixSocket('/pinned/kvm-only.sock'));
      await c.next();
      await c.cmd({ execute: 'qmp_capabilities' });
      pinned.push((await c.cmd({ execute: 'query-cpu-definitions' })).return);
    }
    expect(pinned[1]).toEqual(defs[0]);
  });

  it('replays the SEV host: QEMU 9.2 greeting and its SEV capabilities', async () => {
    const [, c] = await open('epyc');
    expect((await c.next()).QMP.version.qemu).toEqual({ major: 9, minor: 2, micro: 0 });
    await c.cmd({ execute: 'qmp_capabilities' });
    const sev = await c.cmd({ execute: 'query-sev-capabilities', id: 's' });
    expect(sev.return).toMatchObject({ cbitpos: 51, 'reduced-phys-bits': 1 });
    expect(sev.return).toEqual(recorded('epyc', 0, 'query-sev-capabilities {}').return);
  });
});

/** SOURCES.md's table for qmp-kvm/: model-id, family/model, named CPU models, usable ones (no unavailable-features). */
const QMP_KVM = [
  ['core-i7-8700', 'Intel(R) Core(TM) i7-8700', 6, 158, 46, 36],
  ['epyc-7502-32-core', 'AMD EPYC 7502 32-Core Processor', 23, 49, 118, 50],
  ['ryzen-9-3900x-12-core', 'AMD Ryzen 9 3900X 12-Core Processor', 23, 113, 123, 44],
  ['xeon-e3-1245-v5', 'Intel(R) Xeon(R) CPU E3-1245 v5', 6, 94, 33, 27],
  ['xeon-e5-2630-v4', 'Intel(R) Xeon(R) CPU E5-2630 v4', 6, 79, 42, 26],
  ['xeon-e5-2650', '       Intel(R) Xeon(R) CPU E5-2650 0', 6, 45, 46, 23],
  ['xeon-e7540', 'Intel(R) Xeon(R) CPU           E7540', 6, 46, 46, 19],
] as const;
const FIXTURES = join(import.meta.dirname, '../../fixtures/hosts');

describe('assembled QMP profiles (fixtures/hosts/qmp-*)', () => {
  it.each(QMP_KVM)(
    'qmp-kvm-%s answers the host expansion and the CPU definitions QEMU gave under KVM',
    async (name, modelId, family, model, named, usable) => {
      const t = await ReplayTransport.open(join(FIXTURES, `qmp-kvm-${name}`));
      expect(t.origin).toBe('assembled-from-public-dumps');
      const c = new LineClient(await t.forwardUnixSocket('/run/hwqual/qmp.sock'));
      expect((await c.next()).QMP.version.package).toBe('version not recorded');
      await c.cmd({ execute: 'qmp_capabilities' });
      const props = (
        await c.cmd({ execute: 'query-cpu-model-expansion', arguments: { type: 'static', model: { name: 'host' } } })
      ).return.model.props;
      expect(String(props['model-id']).startsWith(modelId)).toBe(true);
      expect([props.family, props.model]).toEqual([family, model]);
      const defs = (await c.cmd({ execute: 'query-cpu-definitions' })).return as Array<{
        'unavailable-features': string[];
      }>;
      expect([defs.length, defs.filter((d) => d['unavailable-features'].length === 0).length]).toEqual([named, usable]);
      expect((await c.cmd({ execute: 'query-version' })).error.desc).toContain('not recorded');
    },
  );

  it('qmp-* whole conversations: any socket plays the KVM probe, a socket named tcg the TCG one', async () => {
    const t = await ReplayTransport.open(join(FIXTURES, 'qmp-ryzen-3900x-qemu-7.2'));
    const defs = [];
    for (const socket of ['/a/qmp.sock', '/b/qmp.sock', '/c/tcg']) {
      const c = new LineClient(await t.forwardUnixSocket(socket));
      await c.next();
      await c.cmd({ execute: 'qmp_capabilities' });
      defs.push((await c.cmd({ execute: 'query-cpu-definitions' })).return);
    }
    expect(defs[0]).toEqual(recorded('ryzen', 0, 'query-cpu-definitions {}').return);
    expect(defs[1]).toEqual(defs[0]);
    expect(defs[2]).toEqual(recorded('ryzen', 1, 'query-cpu-definitions {}').return);
  });
});
