import { closeSync, readSync } from 'node:fs';

/** Bytes read at once when passing over records (they are mostly in file order: one read serves many). */
const BLOCK_BYTES = 1 << 20;
/**
 * A block is read from this far before the record asked for: cases finish a little out of plan order (up to the
 * run's concurrency), so the next records of a plan-order pass may sit just before the last one read.
 */
const BLOCK_BACK = 1 << 17;

/**
 * JSON values at known byte ranges of one open file, read back by index: the run's case log (case-log.ts) and the
 * cases of a results.json (src/report/results-file.ts). Only the ranges stay in memory (12 bytes a record); each
 * pass reads the file through a block buffer of its own, so a pass in nearly file order reads it sequentially.
 */
export class JsonRecords {
  private cache?: Block;

  constructor(
    private readonly fd: number,
    /** Byte offset of each record; its length 0 when the record is absent. */
    readonly offsets: Float64Array,
    readonly lengths: Uint32Array,
  ) {}

  get count(): number {
    return this.offsets.length;
  }

  has(index: number): boolean {
    return this.lengths[index]! > 0;
  }

  /** The record's JSON text (undefined when absent). */
  text(index: number, block?: Block): string | undefined {
    return this.bytes(index, block)?.toString('utf8');
  }

  /**
   * The record's bytes (UTF-8 JSON text; undefined when absent): a view into the block, valid until the block is
   * read into again (the next record of the pass), so a writer can copy them out without decoding them.
   */
  bytes(index: number, block?: Block): Buffer | undefined {
    const length = this.lengths[index]!;
    if (!length) return undefined;
    const offset = this.offsets[index]!;
    const b = block ?? (this.cache ??= new Block());
    if (length > BLOCK_BYTES - BLOCK_BACK) {
      const big = Buffer.allocUnsafe(length);
      readFully(this.fd, big, length, offset);
      return big;
    }
    if (offset < b.start || offset + length > b.start + b.filled) {
      b.start = Math.max(0, offset - BLOCK_BACK);
      b.filled = readUpTo(this.fd, b.buffer, b.start);
      if (b.start + b.filled < offset + length)
        throw new Error(`record ${index} is cut short (file truncated while it was read)`);
    }
    const at = offset - b.start;
    return b.buffer.subarray(at, at + length);
  }

  value<T>(index: number, block?: Block): T | undefined {
    const text = this.text(index, block);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  /** A block buffer for one pass. */
  newBlock(): Block {
    return new Block();
  }

  /** A pass over every record in index order (absent ones as undefined), with its own block buffer. */
  *pass<T>(): Generator<T | undefined> {
    const block = new Block();
    for (let i = 0; i < this.count; i++) yield this.value<T>(i, block);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** A window of the file held in memory. */
export class Block {
  readonly buffer = Buffer.allocUnsafe(BLOCK_BYTES);
  start = -1;
  filled = 0;
}

function readUpTo(fd: number, buffer: Buffer, position: number): number {
  let filled = 0;
  while (filled < buffer.length) {
    const n = readSync(fd, buffer, filled, buffer.length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return filled;
}

function readFully(fd: number, buffer: Buffer, length: number, position: number): void {
  let filled = 0;
  while (filled < length) {
    const n = readSync(fd, buffer, filled, length - filled, position + filled);
    if (n === 0) throw new Error('record is cut short (file truncated while it was read)');
    filled += n;
  }
}
