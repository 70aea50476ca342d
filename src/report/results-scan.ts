import { readSync } from 'node:fs';

/** Bytes read at once while scanning. */
const CHUNK = 1 << 20;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Where the top-level `cases` array of a results.json is, and where each of its elements is. */
export interface CasesLayout {
  /** Byte offset of the array's `[` and of its `]`. */
  open: number;
  close: number;
  offsets: Float64Array;
  lengths: Uint32Array;
}

/**
 * Find the top-level `cases` array of a JSON object file and the byte range of each element, in one pass over the
 * bytes (strings and escapes followed across chunk boundaries), without parsing the elements. Undefined when the
 * file has no top-level `cases` array; throws with the byte offset when the array holds something other than
 * objects or the file ends inside it. The file's JSON as a whole is checked by the parses that follow.
 */
export function scanCases(fd: number, size: number, chunkBytes = CHUNK): CasesLayout | undefined {
  const buf = Buffer.allocUnsafe(chunkBytes);
  let depth = 0;
  let inString = false;
  let escaped = false;
  /** At depth 1 of the top-level object: the next string is a key. */
  let expectKey = false;
  let key: number[] | undefined;
  let lastKey = '';
  let open = -1;
  let close = -1;
  let start = -1;
  const offsets: number[] = [];
  const lengths: number[] = [];
  for (let base = 0; base < size; ) {
    const n = readSync(fd, buf, 0, Math.min(chunkBytes, size - base), base);
    if (n === 0) break;
    let i = 0;
    while (i < n) {
      if (inString) {
        if (escaped) {
          escaped = false;
          if (key) key.push(buf[i]!);
          i++;
          continue;
        }
        const q = buf.indexOf(QUOTE, i);
        const end = q < 0 || q >= n ? n : q;
        // An odd run of backslashes right before the quote (or the chunk's end) escapes what follows.
        let k = 0;
        while (end - k - 1 >= i && buf[end - k - 1] === BACKSLASH) k++;
        if (key) for (let j = i; j < end; j++) key.push(buf[j]!);
        if (end === n) {
          escaped = k % 2 === 1;
          if (escaped && key) key.pop();
          i = n;
          continue;
        }
        if (k % 2 === 1) {
          if (key) key.push(QUOTE);
          i = end + 1;
          continue;
        }
        inString = false;
        if (key) {
          lastKey = Buffer.from(key).toString('utf8');
          key = undefined;
          expectKey = false;
        }
        i = end + 1;
        continue;
      }
      const b = buf[i]!;
      const at = base + i;
      if (b === QUOTE) {
        if (depth === 2 && open >= 0 && close < 0 && start < 0)
          throw new Error(`byte ${at}: an element of "cases" is not an object`);
        inString = true;
        if (depth === 1 && expectKey) key = [];
      } else if (b === 0x7b /* { */ || b === 0x5b /* [ */) {
        if (depth === 2 && open >= 0 && close < 0) {
          if (b !== 0x7b || start >= 0) throw new Error(`byte ${at}: an element of "cases" is not an object`);
          start = at;
        }
        if (depth === 1 && b === 0x5b && lastKey === 'cases' && !expectKey) {
          if (open >= 0) throw new Error(`byte ${at}: "cases" appears twice`);
          open = at;
        }
        depth++;
        if (depth === 1) expectKey = b === 0x7b;
      } else if (b === 0x7d /* } */ || b === 0x5d /* ] */) {
        depth--;
        if (depth === 2 && start >= 0 && open >= 0 && close < 0) {
          offsets.push(start);
          lengths.push(at + 1 - start);
          start = -1;
        } else if (depth === 1 && open >= 0 && close < 0 && b === 0x5d) close = at;
      } else if (depth === 1 && b === COMMA) {
        expectKey = true;
        lastKey = '';
      } else if (depth === 1 && b === COLON) {
        expectKey = false;
      } else if (depth === 2 && open >= 0 && close < 0 && start < 0 && b > 0x20 && b !== COMMA) {
        throw new Error(`byte ${at}: an element of "cases" is not an object`);
      }
      i++;
    }
    base += n;
  }
  if (open < 0) return undefined;
  if (close < 0) throw new Error('the file ends inside "cases"');
  return { open, close, offsets: Float64Array.from(offsets), lengths: Uint32Array.from(lengths) };
}
