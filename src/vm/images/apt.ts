import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { imagesCacheDir } from './cache.ts';
import { runLocal } from './run-local.ts';

/**
 * apt-cache answers, memoised in the image cache: they only change when the package lists do (apt-get update),
 * and apt-cache takes seconds per call on a machine without apt's own pkgcache.
 */
let updated = false;

/**
 * The concrete package a metapackage depends on first (e.g. linux-image-cloud-amd64 →
 * linux-image-6.1.0-56-cloud-amd64).
 */
export async function resolveMeta(meta: string): Promise<string> {
  const out = await aptCache(['depends', '--important', meta]);
  const m = /Depends:\s*(\S+)/.exec(out);
  if (!m) throw new Error(`apt-cache depends ${meta}: no dependency found`);
  return m[1];
}

/** The candidate versions apt would download, in one apt-cache call. */
export async function candidateVersions(pkgs: string[]): Promise<Record<string, string>> {
  const out = await aptCache(['policy', ...pkgs]);
  const result: Record<string, string> = {};
  for (const block of out.split(/^(?=\S+:$)/m)) {
    const name = /^(\S+):$/m.exec(block)?.[1];
    const cand = /Candidate:\s*(\S+)/.exec(block)?.[1];
    if (name && cand && cand !== '(none)') result[name] = cand;
  }
  const missing = pkgs.filter((p) => !result[p]);
  if (missing.length)
    throw new Error(`apt-cache policy: no candidate version for ${missing.join(', ')} (is the package name right?)`);
  return result;
}

/** `apt-get download` into dir; returns the .deb path. */
export async function downloadDeb(pkg: string, dir: string): Promise<string> {
  await withUpdate(() => runLocal('apt-get', ['download', '-q', pkg], { cwd: dir }));
  const out = await runLocal('sh', ['-c', `ls -1 ${pkg}_*.deb | head -1`], { cwd: dir });
  return `${dir}/${out.trim()}`;
}

async function aptCache(args: string[]): Promise<string> {
  const file = join(imagesCacheDir(), '.apt-memo.json');
  const stamp = await listsStamp();
  let memo: { stamp: string; answers: Record<string, string> } = { stamp, answers: {} };
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as typeof memo;
    if (saved.stamp === stamp) memo = saved;
  } catch {
    /* no memo yet */
  }
  const k = args.join(' ');
  if (memo.answers[k] !== undefined) return memo.answers[k];
  const out = await withUpdate(() => runLocal('apt-cache', args));
  memo.stamp = await listsStamp();
  memo.answers[k] = out;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(memo));
  return out;
}

async function listsStamp(): Promise<string> {
  const m = async (p: string) => (await stat(p).catch(() => undefined))?.mtimeMs ?? 0;
  return `${await m('/var/lib/apt/lists')}:${await m('/var/lib/dpkg/status')}`;
}

/** A fresh machine may have no package lists yet: update once, then retry. */
async function withUpdate<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (updated) throw err;
    updated = true;
    await runLocal('apt-get', ['update', '-qq']);
    return fn();
  }
}
