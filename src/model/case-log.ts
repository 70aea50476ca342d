import { mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { HwqualError } from './errors.ts';
import { JsonRecords } from './json-records.ts';
import { type CaseResult, type Cases, caseJsonText } from './result.ts';
import { CASE_STATUSES, type CaseStatus } from './status.ts';

/** Finished cases wait in a buffer of this size before they are written out. */
const BUFFER_BYTES = 1 << 20;

/**
 * The append-only case log of a run: each case's JSON text, appended as it finishes (in finish order), and where
 * each one is (by its index in the plan) and its status kept in memory — 13 bytes a case, not the case. The
 * sign-off and the writers read the cases back in plan order, one pass each (`cases()`). A case is stored as its
 * JSON text as results.json lays it out (caseJsonText), which the results.json writer copies as it is for every
 * case the sign-off leaves as it is. The log lives in the run folder while the reports are written; `remove()`
 * deletes it.
 */
export class CaseLog {
  private readonly records: JsonRecords;
  /** Each case's status (index into CASE_STATUSES), known without reading it back. */
  private readonly statuses: Uint8Array;
  /**
   * Cases not yet written, as bytes: a case's text is copied here at once and dies young (kept as strings until a
   * flush, 300,000 of them were promoted to the old generation and made most of a large run's peak memory).
   */
  private readonly pending = Buffer.allocUnsafe(BUFFER_BYTES);
  private pendingBytes = 0;
  /** Bytes written to the file so far. */
  private end = 0;

  private constructor(
    readonly file: string,
    private readonly fd: number,
    count: number,
  ) {
    this.records = new JsonRecords(fd, new Float64Array(count), new Uint32Array(count));
    this.statuses = new Uint8Array(count);
  }

  /** A new, empty log for `count` cases (an existing file is truncated). */
  static create(file: string, count: number): CaseLog {
    mkdirSync(dirname(file), { recursive: true });
    return new CaseLog(file, openSync(file, 'w+', 0o644), count);
  }

  get count(): number {
    return this.records.count;
  }

  has(index: number): boolean {
    return this.records.has(index);
  }

  /** Append the result of the case at `index` of the plan (once per case). */
  put(index: number, c: CaseResult): void {
    if (index < 0 || index >= this.count || this.has(index))
      throw new HwqualError('E_INTERNAL', `case log: case #${index} (${c.id}) written twice or out of range`);
    const text = caseJsonText(c);
    const bytes = Buffer.byteLength(text);
    this.statuses[index] = STATUS_CODE[c.status];
    if (this.pendingBytes + bytes > BUFFER_BYTES) this.flush();
    this.records.offsets[index] = this.end + this.pendingBytes;
    this.records.lengths[index] = bytes;
    if (bytes <= BUFFER_BYTES) {
      this.pendingBytes += this.pending.write(text, this.pendingBytes);
      return;
    }
    this.writeAt(Buffer.from(text), this.end); // a case larger than the buffer goes straight to the file
    this.end += bytes;
  }

  get(index: number): CaseResult | undefined {
    this.flush();
    return this.records.value<CaseResult>(index);
  }

  /** Write out what waits in memory. */
  flush(): void {
    if (!this.pendingBytes) return;
    this.writeAt(this.pending.subarray(0, this.pendingBytes), this.end);
    this.end += this.pendingBytes;
    this.pendingBytes = 0;
  }

  private writeAt(data: Buffer, position: number): void {
    let done = 0;
    while (done < data.length) done += writeSync(this.fd, data, done, data.length - done, position + done);
  }

  /**
   * The cases in plan order, read from the log on each pass; a case not in the log comes from `fill` (e.g. a
   * cancelled case when the run was stopped), or is left out when `fill` gives nothing.
   */
  cases(fill: (index: number) => CaseResult | undefined = () => undefined): Cases {
    const log = this;
    let length = 0;
    for (let i = 0; i < this.count; i++) if (this.has(i) || fill(i)) length++;
    return {
      length,
      *[Symbol.iterator]() {
        for (const t of log.pass(fill)) yield t.case ?? (JSON.parse(t.bytes.toString('utf8')) as CaseResult);
      },
      *texts() {
        for (const t of log.pass(fill)) yield { status: t.status, text: t.case ? caseJsonText(t.case) : t.bytes };
      },
    };
  }

  /**
   * One pass in plan order: each logged case's bytes (valid until the next step of the pass) and status, or the
   * `fill` case for a missing one. Cases put while the pass runs (a forced exit writes the reports while some cases
   * still end) are flushed before reading.
   */
  private *pass(
    fill: (index: number) => CaseResult | undefined,
  ): Generator<
    | { status: CaseStatus; bytes: Buffer; case?: undefined }
    | { status: CaseStatus; case: CaseResult; bytes?: undefined }
  > {
    const block = this.records.newBlock();
    for (let i = 0; i < this.count; i++) {
      if (this.has(i)) {
        if (this.records.offsets[i]! + this.records.lengths[i]! > this.end) this.flush();
        yield { status: CASE_STATUSES[this.statuses[i]!]!, bytes: this.records.bytes(i, block)! };
        continue;
      }
      const c = fill(i);
      if (c) yield { status: c.status, case: c };
    }
  }

  /** Close and delete the log file. */
  remove(): void {
    try {
      this.records.close();
    } catch {
      /* closed already */
    }
    rmSync(this.file, { force: true });
  }
}

const STATUS_CODE = Object.fromEntries(CASE_STATUSES.map((s, i) => [s, i])) as Record<CaseStatus, number>;
