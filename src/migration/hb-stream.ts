import type { Duplex } from 'node:stream';
import type { Transport } from '../transport/types.ts';
import { retry } from '../util/poll.ts';
import type { LineCollector } from './heartbeat.ts';

/**
 * The guest's heartbeat port (its second serial port, a unix-socket chardev on the host) streamed to the
 * controller through the host's transport. Lines are timestamped as they arrive here: one clock for both hosts
 * of a pair, at a resolution of the stream (no polling), whatever the hosts' own clocks say.
 */
export class HeartbeatStream {
  private stream: Duplex | undefined;
  /** Bytes received from the guest's port so far, and how the stream ended (undefined while open). */
  received = 0;
  ended: string | undefined;

  private constructor(
    readonly label: string,
    /** The unix socket on the host the guest's heartbeat port is served on. */
    readonly socket: string,
  ) {}

  static async open(
    transport: Transport,
    socket: string,
    label: string,
    collector: LineCollector,
    o: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<HeartbeatStream> {
    const hb = new HeartbeatStream(label, socket);
    hb.stream = await retry(() => transport.forwardUnixSocket(socket, { timeoutMs: 10_000, signal: o.signal }), {
      timeoutMs: o.timeoutMs ?? 20_000,
      everyMs: 200,
      signal: o.signal,
    });
    hb.stream.on('data', (chunk: Buffer) => {
      hb.received += chunk.length;
      collector.feed(label, chunk.toString('utf8'), Date.now());
    });
    hb.stream.on('error', (err: Error) => {
      hb.ended ??= `error: ${err.message}`;
    });
    hb.stream.on('close', () => {
      hb.ended ??= 'closed';
    });
    return hb;
  }

  /** Ask the workload for an integrity scan now (it reads a 'c' on the same serial port). */
  requestCheck(): void {
    this.stream?.write('c');
  }

  /** One line on the stream's state, for a diagnosis. */
  describe(): string {
    return `heartbeat stream from ${this.label}: ${this.received} bytes received, ${this.ended ?? 'open'}`;
  }

  close(): void {
    this.ended ??= 'closed by hwqual';
    this.stream?.destroy();
    this.stream = undefined;
  }
}
