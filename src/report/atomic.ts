import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Bytes gathered before one write when the content comes in pieces. */
const WRITE_BYTES = 1 << 20;

/**
 * Write a file so that a reader sees either the old content or the whole new content, never a part: write a temp
 * file in the same folder (same file system, so rename is atomic), fsync it, rename it over the target, then fsync
 * the folder so the rename itself survives a crash. The temp file is removed if anything fails. Content given as
 * pieces (a generator: results.json and junit.xml of a large run) is written as it comes, about 1 MiB at a time,
 * never held whole.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array | Iterable<string | Uint8Array>,
): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(temp, 'wx', 0o644);
    if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
    else await writePieces(handle, data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(temp, file);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
  await syncDir(dir);
}

/**
 * The pieces go into one reused buffer as they come (a piece's string dies young instead of waiting, with a
 * megabyte of others, to be joined), and the buffer to the file when full. A piece may be bytes (UTF-8) already: a
 * view the producer may reuse once the next piece is asked for, so it is copied (or written) before that.
 */
async function writePieces(handle: fs.FileHandle, pieces: Iterable<string | Uint8Array>): Promise<void> {
  const buffer = Buffer.allocUnsafe(WRITE_BYTES);
  let used = 0;
  const flush = async () => {
    let done = 0;
    while (done < used) done += (await handle.write(buffer, done, used - done)).bytesWritten;
    used = 0;
  };
  for (const piece of pieces) {
    const text = typeof piece === 'string';
    const bytes = text ? Buffer.byteLength(piece) : piece.length;
    if (used + bytes > WRITE_BYTES) await flush();
    if (bytes > WRITE_BYTES) await writeAll(handle, piece);
    else if (text) used += buffer.write(piece, used);
    else {
      buffer.set(piece, used);
      used += bytes;
    }
  }
  await flush();
}

async function writeAll(handle: fs.FileHandle, piece: string | Uint8Array): Promise<void> {
  if (typeof piece === 'string') {
    await handle.write(piece);
    return;
  }
  let done = 0;
  while (done < piece.length) done += (await handle.write(piece, done, piece.length - done)).bytesWritten;
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some file systems do not fsync directories (EINVAL/EISDIR): the rename is still atomic.
  } finally {
    await handle.close();
  }
}
