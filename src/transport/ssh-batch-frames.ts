/** One command's outcome out of a batch's stdout. */
export interface BatchRecord {
  index: number;
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
}

/**
 * Splits a batch channel's stdout into per-command records and its stderr into process-group announcements (the
 * framing is in ssh-batch-script.ts). Feed chunks as they come; records come out as soon as they are complete.
 */
export class BatchFrames {
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  private scanFrom = 0;
  private stdoutPart: Buffer | null = null;
  private err = '';
  private errScan = 0;
  private readonly sep: Buffer;
  private readonly trailer: Buffer;
  private readonly pidPattern: RegExp;

  constructor(private readonly marker: string) {
    this.sep = Buffer.from(`${marker}|`);
    this.trailer = Buffer.from(`${marker}#`);
    this.pidPattern = new RegExp(`${escape(marker)}\\+(\\d+):(\\d+);`, 'g');
  }

  /** Feed stdout; returns the records completed by this chunk. */
  pushStdout(chunk: Buffer): BatchRecord[] {
    this.append(chunk);
    const records: BatchRecord[] = [];
    for (;;) {
      const view = this.buf.subarray(this.start, this.end);
      const want = this.stdoutPart ? this.trailer : this.sep;
      const at = view.indexOf(want, this.scanFrom);
      if (at < 0) {
        this.scanFrom = Math.max(0, view.length - want.length + 1);
        return records;
      }
      if (!this.stdoutPart) {
        this.stdoutPart = Buffer.from(view.subarray(0, at));
        this.consume(at + want.length);
        continue;
      }
      const end = view.indexOf(0x3b /* ; */, at + want.length);
      if (end < 0) {
        this.scanFrom = at;
        return records;
      }
      const m = /^(\d+):(\d+)$/.exec(view.subarray(at + want.length, end).toString('latin1'));
      if (m) records.push({ index: Number(m[1]), exitCode: Number(m[2]), stdout: this.stdoutPart, stderr: Buffer.from(view.subarray(0, at)) });
      this.stdoutPart = null;
      this.consume(end + 1);
    }
  }

  /** Feed stderr; returns the [index, pid] announcements it completed. */
  pushStderr(chunk: Buffer): Array<[number, number]> {
    this.err += chunk.toString('latin1');
    const found: Array<[number, number]> = [];
    this.pidPattern.lastIndex = this.errScan;
    for (let m; (m = this.pidPattern.exec(this.err));) {
      found.push([Number(m[1]), Number(m[2])]);
      this.errScan = this.pidPattern.lastIndex;
    }
    return found;
  }

  /** Channel stderr that was not an announcement (the batch shell's own complaints, e.g. mktemp failing). */
  strayStderr(): string {
    return this.err.replace(this.pidPattern, '');
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

  private consume(n: number): void {
    this.start += n;
    this.scanFrom = 0;
    if (this.start === this.end) this.start = this.end = 0;
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
