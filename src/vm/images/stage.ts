import { randomBytes } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { HwqualError } from '../../model/errors.ts';
import type { Transport } from '../../transport/types.ts';
import { shellQuote } from '../shell.ts';
import { imageStagingRoot, ownedDirCommand } from '../work-dirs.ts';
import type { BuiltImage } from './built-image.ts';

const CHUNK = 32 << 20;

/**
 * Where images are staged on a lab host for the login `user` (the transport's): one folder per image content
 * (`<name>-<key>`), shared by every run of that user on that host — `/var/tmp/hwqual-images` for root,
 * `/var/tmp/hwqual-images-<user>` for any other (work-dirs.ts), so two users never share a folder.
 */
export function stagingRoot(user?: string): string {
  return imageStagingRoot(user);
}

/** The staged folder of an image: named by its content key, so one name is only ever one content. */
export function stagedDir(image: Pick<BuiltImage, 'name' | 'key'>, user?: string): string {
  return `${stagingRoot(user)}/${image.name}-${image.key}`;
}

/** The lock that orders staging (shared) against `hwqual images prune` (exclusive). flock(1) is util-linux. */
export function stagingLock(user?: string): string {
  return `${stagingRoot(user)}/.lock`;
}

/** How a staging went: the folder was there already, this call published it, or another stager did meanwhile. */
export type StageOutcome = 'reused' | 'published' | 'raced';

/** Copies under way in this process, per host and folder (concurrent cases of one run copy once). */
const copying = new Map<string, Promise<StageOutcome>>();

/**
 * The image's files as paths on the transport's host. `local` IS this machine, so its paths are used as they are;
 * any other host gets a copy through the transport (SFTP writes in 32 MiB chunks) in stagedDir(image).
 */
export async function stageImage(transport: Transport, image: BuiltImage, signal?: AbortSignal): Promise<BuiltImage> {
  return (await stageImageOn(transport, image, signal)).image;
}

/**
 * stageImage, saying how. The folder is written once: copied into a private temp folder, then renamed into place
 * (`mv -T`, atomic; it fails when the folder exists, and the copy is dropped). A staged folder is never removed or
 * replaced by a run — only by `hwqual images prune` (prune.ts), under the exclusive lock, when no process uses it and
 * it was not used for a while. Every use touches its `.used` stamp under the shared lock, so prune sees it.
 */
export async function stageImageOn(
  transport: Transport,
  image: BuiltImage,
  signal?: AbortSignal,
): Promise<{ image: BuiltImage; outcome: StageOutcome }> {
  if (transport.kind === 'local' || image.kind === 'user') return { image, outcome: 'reused' };
  const dir = stagedDir(image, transport.user);
  const remote = (p: string | undefined) => (p ? `${dir}/${basename(p)}` : undefined);
  const onHost: BuiltImage = {
    ...image,
    kernel: remote(image.kernel),
    initrd: remote(image.initrd),
    disk: image.disk && { ...image.disk, path: `${dir}/${basename(image.disk.path)}` },
  };
  const id = `${transport.host}\0${dir}`;
  await copying.get(id)?.catch(() => {});
  if (await markUsed(transport, dir, signal)) return { image: onHost, outcome: 'reused' };
  let p = copying.get(id);
  if (!p) {
    p = copyAndPublish(transport, image, dir, signal).finally(() => copying.delete(id));
    copying.set(id, p);
  }
  return { image: onHost, outcome: await p };
}

/** Is the folder complete on the host? If so, stamp it as used (under the shared lock, so prune cannot race it). */
async function markUsed(transport: Transport, dir: string, signal?: AbortSignal): Promise<boolean> {
  const d = shellQuote(dir);
  const r = await transport.exec(underLock(transport.user, `test -f ${d}/.complete && touch ${d}/.used`), {
    timeoutMs: 30_000,
    signal,
  });
  return r.exitCode === 0;
}

async function copyAndPublish(
  transport: Transport,
  image: BuiltImage,
  dir: string,
  signal?: AbortSignal,
): Promise<StageOutcome> {
  const tmp = `${dir}.tmp-${randomBytes(6).toString('hex')}`;
  const t = shellQuote(tmp);
  const d = shellQuote(dir);
  await run(transport, `mkdir -p ${t}`, signal);
  try {
    for (const file of [image.kernel, image.initrd, image.disk?.path].filter((f): f is string => !!f)) {
      await copyFile(transport, file, `${tmp}/${basename(file)}`, signal);
    }
    const published = await run(
      transport,
      underLock(
        transport.user,
        `touch ${t}/.complete ${t}/.used && if mv -T ${t} ${d} 2>/dev/null; then echo published; ` +
          `elif test -f ${d}/.complete; then rm -rf ${t}; touch ${d}/.used; echo raced; ` +
          `else echo "${dir} exists but is not a complete staged image (hwqual images prune removes it)" >&2; exit ` +
          `1; fi`,
      ),
      signal,
    );
    return published.trim() === 'published' ? 'published' : 'raced';
  } catch (err) {
    await transport.exec(`rm -rf ${t}`, { timeoutMs: 60_000 }).catch(() => {});
    throw err;
  }
}

/** A command run under the shared staging lock (making the user's staging root first, checked to be theirs). */
function underLock(user: string | undefined, command: string): string {
  const lock = shellQuote(stagingLock(user));
  return `${ownedDirCommand(stagingRoot(user))} && flock -s ${lock} sh -c ${shellQuote(command)}`;
}

async function copyFile(transport: Transport, local: string, remote: string, signal?: AbortSignal): Promise<void> {
  const size = (await stat(local)).size;
  const fh = await open(local, 'r');
  try {
    for (let off = 0, i = 0; off < size || i === 0; off += CHUNK, i++) {
      const buf = Buffer.alloc(Math.min(CHUNK, size - off));
      await fh.read(buf, 0, buf.length, off);
      const part = `${remote}.part`;
      await transport.writeFile(part, buf, { signal, timeoutMs: 300_000 });
      await run(transport, `cat ${shellQuote(part)} >> ${shellQuote(remote)} && rm -f ${shellQuote(part)}`, signal);
    }
  } finally {
    await fh.close();
  }
  const r = await run(transport, `stat -c %s ${shellQuote(remote)}`, signal);
  if (Number(r.trim()) !== size)
    throw new HwqualError(
      'E_VM',
      `copy of ${local} to ${transport.host}:${remote}: ${r.trim()} bytes, expected ${size}`,
      { host: transport.host },
    );
}

async function run(transport: Transport, cmd: string, signal?: AbortSignal): Promise<string> {
  const r = await transport.exec(cmd, { timeoutMs: 300_000, signal });
  if (r.exitCode !== 0)
    throw new HwqualError('E_VM', `staging image on ${transport.host}: ${cmd}: ${r.stderr.trim()}`, {
      host: transport.host,
    });
  return r.stdout;
}
