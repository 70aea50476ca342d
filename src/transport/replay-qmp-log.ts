import { prettyJson, splitJsonObjects } from './replay-json-stream.ts';

/**
 * QMP conversations in libvirt's `.replies` layout (tests/qemucapabilitiesdata): pretty-printed JSON objects,
 * blank-line separated, each request (`execute`, `arguments`, `id`) followed by QEMU's reply (`return` or `error`,
 * same `id`). hwqual reads those files unchanged and adds two optional object kinds to the same layout:
 * - a greeting `{"QMP": {...}}`, which starts a session;
 * - events `{"event": ..., "data": ..., "timestamp": ...}` after the reply they followed on the wire.
 * A file may hold several sessions (one per connection, or per QEMU process as in libvirt's files, where a second
 * `qmp_capabilities` starts the TCG probe): a greeting or a `qmp_capabilities` after other requests starts a new one.
 */
export type QmpMessage = Record<string, unknown>;

export interface QmpExchange {
  request: QmpMessage;
  reply: QmpMessage;
  /** The reply as QEMU wrote it (exact digits of u64 values, which `reply` rounds); replayed and saved from this. */
  replyText?: string;
  /** Events QEMU sent after this reply and before the next one. */
  events?: QmpMessage[];
}

export interface QmpSession {
  greeting?: QmpMessage;
  /** Events sent before any reply of this session. */
  events?: QmpMessage[];
  exchanges: QmpExchange[];
}

export function isRequest(m: QmpMessage): boolean {
  return typeof m.execute === 'string' || typeof m['exec-oob'] === 'string';
}

export function isReply(m: QmpMessage): boolean {
  return 'return' in m || 'error' in m;
}

export function commandOf(m: QmpMessage): string {
  return String(m.execute ?? m['exec-oob'] ?? '');
}

/** Parse a `.replies` text into sessions. Throws on a reply without a request before it. */
export function parseQmpLog(text: string, source = 'QMP log'): QmpSession[] {
  const sessions: QmpSession[] = [];
  let cur: QmpSession | undefined;
  let pending: QmpMessage | undefined;
  const fresh = (): QmpSession => {
    cur = { exchanges: [] };
    sessions.push(cur);
    return cur;
  };
  for (const raw of splitJsonObjects(text)) {
    const m = JSON.parse(raw) as QmpMessage;
    if ('QMP' in m) {
      fresh().greeting = m;
    } else if (isRequest(m)) {
      const s = cur ?? fresh();
      if (commandOf(m) === 'qmp_capabilities' && s.exchanges.length > 0) fresh();
      pending = m;
    } else if (isReply(m)) {
      if (!pending || !cur)
        throw new Error(`${source}: a reply without a request before it: ${JSON.stringify(m).slice(0, 120)}`);
      cur.exchanges.push({ request: pending, reply: m, replyText: raw });
      pending = undefined;
    } else if ('event' in m) {
      const s = cur ?? fresh();
      const last = s.exchanges.at(-1);
      if (last) (last.events ??= []).push(m);
      else (s.events ??= []).push(m);
    } else {
      throw new Error(`${source}: not a QMP greeting, request, reply or event: ${JSON.stringify(m).slice(0, 120)}`);
    }
  }
  return sessions;
}

/** Write sessions in the same layout (2-space indentation, a blank line between objects). */
export function formatQmpLog(sessions: readonly QmpSession[]): string {
  const texts: string[] = [];
  const add = (...ms: QmpMessage[]) => texts.push(...ms.map((m) => JSON.stringify(m, null, 2)));
  for (const s of sessions) {
    if (s.greeting) add(s.greeting);
    add(...(s.events ?? []));
    for (const x of s.exchanges) {
      add(x.request);
      texts.push(x.replyText ? prettyJson(x.replyText) : JSON.stringify(x.reply, null, 2));
      add(...(x.events ?? []));
    }
  }
  return `${texts.join('\n\n')}\n`;
}

/** The matching key of a request: its command and its arguments with keys sorted (`id` is not part of it). */
export function requestKey(m: QmpMessage): string {
  return `${commandOf(m)} ${canonicalJson(m.arguments ?? {})}`;
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
