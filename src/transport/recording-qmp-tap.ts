import { Duplex } from 'node:stream';
import { JsonObjectSplitter } from './replay-json-stream.ts';
import { isReply, isRequest, type QmpMessage, type QmpSession } from './replay-qmp-log.ts';

/**
 * Listens to both directions of a QMP connection and rebuilds the session: the greeting, each request paired with
 * its reply (by `id`, else in order — QEMU answers in-band commands in order), and events after the reply they
 * followed. Bytes are passed through unchanged; a frame the tap cannot parse is dropped from the recording only.
 */
export class QmpTap {
  readonly session: QmpSession = { exchanges: [] };
  private readonly fromClientSplitter = new JsonObjectSplitter();
  private readonly fromServerSplitter = new JsonObjectSplitter();
  private readonly pending: QmpMessage[] = [];

  client(chunk: Buffer | string): void {
    for (const [m] of safeSplit(this.fromClientSplitter, chunk)) if (isRequest(m)) this.pending.push(m);
  }

  server(chunk: Buffer | string): void {
    for (const [m, raw] of safeSplit(this.fromServerSplitter, chunk)) {
      if ('QMP' in m) this.session.greeting = m;
      else if (isReply(m)) this.pair(m, raw);
      else if ('event' in m) {
        const last = this.session.exchanges.at(-1);
        if (last) (last.events ??= []).push(m);
        else (this.session.events ??= []).push(m);
      }
    }
  }

  private pair(reply: QmpMessage, replyText: string): void {
    const key = JSON.stringify(reply.id);
    let i = 'id' in reply ? this.pending.findIndex((r) => JSON.stringify(r.id) === key) : -1;
    if (i < 0) i = 0;
    const request = this.pending.splice(i, 1)[0];
    if (request) this.session.exchanges.push({ request, reply, replyText });
  }
}

/** Parsed messages with their raw text; a frame that is not JSON is left out of the recording. */
function safeSplit(splitter: JsonObjectSplitter, chunk: Buffer | string): Array<[QmpMessage, string]> {
  const out: Array<[QmpMessage, string]> = [];
  for (const raw of splitter.push(chunk.toString())) {
    try {
      out.push([JSON.parse(raw) as QmpMessage, raw]);
    } catch {
      /* not JSON: not recorded */
    }
  }
  return out;
}

/** Wrap a stream so every byte both ways goes through the tap (which holds the session as it grows). */
export function tapQmpStream(inner: Duplex, tap: QmpTap): Duplex {
  const outer = new Duplex({
    read() {
      inner.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      tap.client(chunk);
      inner.write(chunk, cb);
    },
    final(cb) {
      inner.end();
      cb();
    },
    destroy(err, cb) {
      inner.destroy();
      cb(err);
    },
  });
  inner.on('data', (d: Buffer) => {
    tap.server(d);
    if (!outer.push(d)) inner.pause();
  });
  let ended = false;
  inner.once('end', () => {
    ended = true;
    outer.push(null);
  });
  inner.once('error', (err) => outer.destroy(err));
  // Closed after a clean end: the outer side ends by itself once read. Closed without one: nothing more will come.
  inner.once('close', () => {
    if (!ended) outer.destroy();
  });
  return outer;
}
