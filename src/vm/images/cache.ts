import { createHash } from 'node:crypto';
import { mkdir, open, readFile, readdir, rm, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { poll } from '../../util/poll.ts';
import type { BuiltImage } from './built-image.ts';

/** `.hwqual-cache/images` in the project root (override with HWQUAL_CACHE_DIR). */
export function imagesCacheDir(): string {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  return join(process.env.HWQUAL_CACHE_DIR ?? join(root, '.hwqual-cache'), 'images');
}

export function projectRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
}

export function cacheKey(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

export function imageDir(name: string, key: string): string {
  return join(imagesCacheDir(), name, key);
}

export async function readManifest<T = BuiltImage>(name: string, key: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(join(imageDir(name, key), 'manifest.json'), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The newest built version of an image, whatever its key (for `images list` and offline use). */
export async function latestManifest<T extends { builtAt: string } = BuiltImage>(name: string): Promise<T | undefined> {
  let keys: string[];
  try {
    keys = await readdir(join(imagesCacheDir(), name));
  } catch {
    return undefined;
  }
  const all: T[] = [];
  for (const m of await Promise.all(keys.map((k) => readManifest<T>(name, k)))) if (m) all.push(m);
  return all.sort((a, b) => b.builtAt.localeCompare(a.builtAt))[0];
}

/** Remove the other (older) keys of an image once a new one is built. */
export async function pruneOtherKeys(name: string, keep: string): Promise<void> {
  const dir = join(imagesCacheDir(), name);
  for (const k of await readdir(dir)) {
    if (k !== keep && !k.startsWith('.')) await rm(join(dir, k), { recursive: true, force: true });
  }
}

/**
 * An exclusive lock file per image (O_EXCL). A lock whose owner pid is gone is stale and taken over, so a killed
 * build never blocks the next one. Concurrent builders wait, then find the image built.
 */
export async function withImageLock<T>(name: string, fn: () => Promise<T>, waitMs = 30 * 60_000): Promise<T> {
  const dir = join(imagesCacheDir(), name);
  await mkdir(dir, { recursive: true });
  const lock = join(dir, '.lock');
  let owner = 0;
  const take = async (): Promise<true | undefined> => {
    for (;;) {
      try {
        const fh = await open(lock, 'wx');
        await fh.writeFile(String(process.pid));
        await fh.close();
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        owner = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
        if (!owner || alive(owner)) return undefined;
        await unlink(lock).catch(() => {}); // its owner is gone: take over
      }
    }
  };
  if (!(await poll(take, { timeoutMs: waitMs, everyMs: 500 })))
    throw new Error(`image ${name}: lock ${lock} held by pid ${owner} for too long`);
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => {});
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
