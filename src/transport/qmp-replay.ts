import { Duplex } from 'node:stream';
import { JsonObjectSplitter, minifyJson, topLevelMembers } from './replay-json-stream.ts';
import {
  commandOf,
  isRequest,
  requestKey,
  type QmpExchange,
  type QmpMessage,
  type QmpSession,
} from './replay-qmp-log.ts';

/**
 * A Duplex that plays the QMP server of one recorded session: it sends the greeting, refuses commands before
 * `qmp_capabilities` (as QEMU does), and answers each request from the recording by matching `execute` and
 * `arguments` (the client's `id` is echoed back). A request asked several times gets the recorded answers in order
 * and then the last one again. A request that was not recorded gets a QMP error reply saying so — never a guess.
 * Events recorded after a reply are sent after that reply.
 */
export class QmpReplayStream extends Duplex {
  private readonly splitter = new JsonObjectSplitter();
  private readonly book = new Map<string, QmpExchange[]>();
  private readonly served = new Map<string, number>();
  private negotiated = false;
  /** Every request the client sent, for tests and reports. */
  readonly requests: QmpMessage[] = [];

  constructor(
    session: QmpSession,
    private readonly source: string,
  ) {
    super();
    for (const x of session.exchanges) {
      const key = requestKey(x.request);
      const list = this.book.get(key) ?? [];
      list.push(x);
      this.book.set(key, list);
    }
    this.send(session.greeting ?? greetingFrom(session));
    for (const e of session.events ?? []) this.send(e);
  }

  override _read(): void {}

  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    for (const raw of this.splitter.push(chunk.toString())) {
      let m: QmpMessage;
      try {
        m = JSON.parse(raw) as QmpMessage;
      } catch (err) {
        this.send({ error: { class: 'GenericError', desc: `JSON parse error: ${(err as Error).message}` } });
        continue;
      }
      this.answer(m);
    }
    cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.push(null);
    cb();
  }

  private answer(m: QmpMessage): void {
    this.requests.push(m);
    const id = 'id' in m ? { id: m.id } : {};
    if (!isRequest(m)) {
      this.send({ error: { class: 'GenericError', desc: "QMP input lacks member 'execute'" }, ...id });
      return;
    }
    const cmd = commandOf(m);
    if (!this.negotiated && cmd !== 'qmp_capabilities') {
      this.send({
        error: { class: 'CommandNotFound', desc: "Expecting capabilities negotiation with 'qmp_capabilities'" },
        ...id,
      });
      return;
    }
    const x = this.pick(requestKey(m));
    if (cmd === 'qmp_capabilities') {
      this.negotiated = true;
      // The negotiation is protocol, not host data: recordings made without it (libvirt's qmp-kvm dumps) still open.
      if (!x) {
        this.send({ return: {}, ...id });
        return;
      }
    }
    if (!x) {
      this.send({
        error: {
          class: 'GenericError',
          desc: `not recorded in ${this.source}: ${cmd} ${JSON.stringify(m.arguments ?? {})}`,
        },
        ...id,
      });
      return;
    }
    this.push(`${withId(x, m)}\r\n`);
    for (const e of x.events ?? []) this.send(e);
  }

  private pick(key: string): QmpExchange | undefined {
    const list = this.book.get(key);
    if (!list) return undefined;
    const n = this.served.get(key) ?? 0;
    this.served.set(key, n + 1);
    return list[Math.min(n, list.length - 1)];
  }

  private send(m: QmpMessage): void {
    this.push(`${JSON.stringify(m)}\r\n`);
  }
}

/** The recorded reply, from its raw text when there is one, with the client's `id` in place of the recorded one. */
function withId(x: QmpExchange, request: QmpMessage): string {
  if (!x.replyText) {
    const { id: _recorded, ...reply } = x.reply;
    return JSON.stringify({ ...reply, ...('id' in request ? { id: request.id } : {}) });
  }
  const members = topLevelMembers(minifyJson(x.replyText))
    .filter(([k]) => k !== '"id"')
    .map(([k, v]) => `${k}:${v}`);
  if ('id' in request) members.push(`"id":${JSON.stringify(request.id)}`);
  return `{${members.join(',')}}`;
}

/** QEMU's greeting, built from the recorded `query-version` reply when the recording has no greeting of its own. */
export function greetingFrom(session: QmpSession): QmpMessage {
  const v = session.exchanges.find((x) => commandOf(x.request) === 'query-version')?.reply.return;
  const version =
    v && typeof v === 'object' ? v : { qemu: { major: 0, minor: 0, micro: 0 }, package: 'version not recorded' };
  return { QMP: { version, capabilities: ['oob'] } };
}
