import { Duplex } from 'node:stream';
import type { QmpEvent } from '../../model/qmp.ts';

/**
 * One line of `virsh qemu-monitor-event --loop --timestamp` → a QMP event, or undefined for other lines:
 *   2026-12-06 21:10:44.102+0000: event STOP for domain 'hwqual-x': <null>
 *   2026-12-06 21:11:02.412+0000: event MIGRATION for domain 'hwqual-x': {"status":"active"}
 * The timestamp is libvirt's (UTC, milliseconds), the data QEMU's own JSON. Pure.
 */
export function parseMonitorEvent(line: string): QmpEvent | undefined {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.(\d{3})\+0000: event (\S+) for domain '.*?': (.*)$/.exec(line.trim());
  if (!m) return undefined;
  const [, day, time, ms, event, rest] = m;
  const seconds = Math.floor(Date.parse(`${day}T${time}Z`) / 1000);
  let data: Record<string, unknown> | undefined;
  if (rest !== '<null>') {
    try {
      const parsed = JSON.parse(rest!) as unknown;
      if (parsed && typeof parsed === 'object') data = parsed as Record<string, unknown>;
    } catch {
      data = { text: rest };
    }
  }
  return { event: event!, ...(data && { data }), timestamp: { seconds, microseconds: Number(ms) * 1000 } };
}

/** Split a stream of text into whole lines (the last partial line is kept for the next chunk). */
export function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
  let rest = '';
  return (chunk) => {
    rest += chunk;
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) onLine(l);
  };
}

/**
 * The protocol end of a newline-JSON stream made in-process (QMP, the guest agent): each written line goes to
 * `onLine`, `send` pushes a JSON message back, `end` closes it; `stop` aborts when the reader destroys the stream.
 */
export function jsonLineStream(onLine: (line: string) => void): {
  stream: Duplex;
  send: (msg: unknown) => void;
  end: () => void;
  stop: AbortSignal;
} {
  const stop = new AbortController();
  let ended = false;
  const feed = lineSplitter((line) => {
    if (line.trim()) onLine(line);
  });
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      feed(chunk.toString('utf8'));
      cb();
    },
    destroy(err, cb) {
      ended = true;
      stop.abort();
      cb(err);
    },
  });
  const send = (msg: unknown) => {
    if (!ended) stream.push(`${JSON.stringify(msg)}\n`);
  };
  const end = () => {
    if (ended) return;
    ended = true;
    stop.abort();
    stream.push(null);
    stream.destroy();
  };
  return { stream, send, end, stop: stop.signal };
}
