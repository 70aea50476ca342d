import type { Duplex } from 'node:stream';
import type { Transport } from '../../transport/types.ts';
import { sleep } from '../wait.ts';
import type { LineCollector } from './heartbeat.ts';

/**
 * The guest's heartbeat port (its second serial port, a unix-socket chardev on the host) streamed to the
 * controller through the host's transport. Lines are timestamped as they arrive here: one clock for both hosts
 * of a pair, at a resolution of the stream (no polling), whatever the hosts' own clocks say.
 */
export class HeartbeatStream {
  private stream: Duplex | undefined;

  private constructor(readonly label: string) {}

  static async open(transport: Transport, socket: string, label: string, collector: LineCollector, o: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<HeartbeatStream> {
    const hb = new HeartbeatStream(label);
    const deadline = Date.now() + (o.timeoutMs ?? 20_000);
    for (;;) {
      try {
        hb.stream = await transport.forwardUnixSocket(socket, { timeoutMs: 10_000, signal: o.signal });
        break;
      } catch (err) {
        if (o.signal?.aborted || Date.now() > deadline) throw err;
        await sleep(200, o.signal);
      }
    }
    hb.stream.on('data', (chunk: Buffer) => collector.feed(label, chunk.toString('utf8'), Date.now()));
    hb.stream.on('error', () => {});
    return hb;
  }

  /** Ask the workload for an integrity scan now (it reads a 'c' on the same serial port). */
  requestCheck(): void {
    this.stream?.write('c');
  }

  close(): void {
    this.stream?.destroy();
    this.stream = undefined;
  }
}
