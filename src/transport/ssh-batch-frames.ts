/** One command's outcome out of a batch's two streams. */
export interface BatchRecord {
  index: number;
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
}

export interface FrameEvents {
  /** The batch shell's own pid (announced once, first). */
  shell?: number;
  /** The batch shell stopped before this command (batchStopCommand): it and those after it never ran here. */
  stoppedAt?: number;
  /** A command started on the host as this pid. */
  pids: Array<[number, number]>;
  /** Commands whose stdout and stderr are both complete. */
  records: BatchRecord[];
}

/**
 * Splits a batch channel's stdout and stderr into per-command records (the framing is in ssh-batch-script.ts).
 * Feed chunks as they come; a record comes out as soon as both of its streams are complete.
 */
export class BatchFrames {
  private readonly out: Stream;
  private readonly err: Stream;
  private readonly outDone = new Map<number, { exitCode: number; stdout: Buffer }>();
  private readonly errDone = new Map<number, Buffer>();
  private stray = '';
  /** The command whose stderr is being written (between its `+` and `-` frames). */
  private running: { index: number; stderr: Buffer[] } | undefined;

  constructor(marker: string) {
    this.out = new Stream(Buffer.from(marker));
    this.err = new Stream(Buffer.from(marker));
  }

  pushStdout(chunk: Buffer): FrameEvents {
    const ev: FrameEvents = { pids: [], records: [] };
    for (const t of this.out.push(chunk)) {
      const m = /^#(\d+):(\d+)$/.exec(t.token);
      if (!m) continue;
      const index = Number(m[1]);
      this.outDone.set(index, { exitCode: Number(m[2]), stdout: t.before });
      this.complete(index, ev);
    }
    return ev;
  }

  pushStderr(chunk: Buffer): FrameEvents {
    const ev: FrameEvents = { pids: [], records: [] };
    for (const t of this.err.push(chunk)) {
      let m;
      if ((m = /^\+(\d+):(\d+)$/.exec(t.token))) {
        this.stray += t.before.toString('utf8');
        this.running = { index: Number(m[1]), stderr: [] };
        ev.pids.push([Number(m[1]), Number(m[2])]);
      } else if ((m = /^-(\d+)$/.exec(t.token))) {
        const index = Number(m[1]);
        this.errDone.set(index, Buffer.concat([...(this.running?.stderr ?? []), t.before]));
        this.running = undefined;
        this.complete(index, ev);
      } else {
        // The batch shell's own frames can come while a command still writes (a stop): its bytes stay its own.
        if (this.running) this.running.stderr.push(t.before);
        else this.stray += t.before.toString('utf8');
        if ((m = /^\*(\d+)$/.exec(t.token))) ev.shell = Number(m[1]);
        else if ((m = /^!(\d+)$/.exec(t.token))) ev.stoppedAt = Number(m[1]);
      }
    }
    return ev;
  }

  /** Channel stderr outside any command (the batch shell's own complaints). */
  strayStderr(): string {
    return this.stray + this.err.rest().toString('utf8');
  }

  private complete(index: number, ev: FrameEvents): void {
    const out = this.outDone.get(index);
    const err = this.errDone.get(index);
    if (!out || !err) return;
    this.outDone.delete(index);
    this.errDone.delete(index);
    ev.records.push({ index, exitCode: out.exitCode, stdout: out.stdout, stderr: err });
  }
}

/** One stream cut at `MARK<token>;`: yields the bytes before each mark and the token. Linear in the bytes fed. */
class Stream {
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  private scanFrom = 0;

  constructor(private readonly marker: Buffer) {}

  push(chunk: Buffer): Array<{ before: Buffer; token: string }> {
    this.append(chunk);
    const found: Array<{ before: Buffer; token: string }> = [];
    for (;;) {
      const view = this.buf.subarray(this.start, this.end);
      const at = view.indexOf(this.marker, this.scanFrom);
      if (at < 0) {
        this.scanFrom = Math.max(0, view.length - this.marker.length + 1);
        return found;
      }
      const semi = view.indexOf(0x3b /* ; */, at + this.marker.length);
      if (semi < 0) {
        this.scanFrom = at;
        return found;
      }
      found.push({
        before: Buffer.from(view.subarray(0, at)),
        token: view.subarray(at + this.marker.length, semi).toString('latin1'),
      });
      this.start += semi + 1;
      this.scanFrom = 0;
    }
  }

  rest(): Buffer {
    return Buffer.from(this.buf.subarray(this.start, this.end));
  }

  /** Append to a growing buffer (doubling), so many small chunks cost linear time. */
  private append(chunk: Buffer): void {
    if (this.end + chunk.length > this.buf.length) {
      const live = this.end - this.start;
      const next = Buffer.allocUnsafe(Math.max(live + chunk.length, this.buf.length * 2, 16 * 1024));
      this.buf.copy(next, 0, this.start, this.end);
      this.buf = next;
      this.start = 0;
      this.end = live;
    }
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }
}
