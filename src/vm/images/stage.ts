import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { HwqualError } from '../../model/errors.ts';
import type { Transport } from '../../transport/types.ts';
import { shellQuote } from '../shell.ts';
import type { BuiltImage } from './built-image.ts';

const CHUNK = 32 << 20;
const REMOTE_ROOT = '/var/tmp/hwqual-images';
const staged = new Map<string, Promise<BuiltImage>>();

/**
 * The image's files as paths on the transport's host. `local` IS this machine, so its paths are used as they are;
 * any other host gets a copy through the transport (SFTP writes in 32 MiB chunks) in
 * /var/tmp/hwqual-images/<name>-<key>, reused while its `.complete` marker is there. Lab-in-a-box hosts share this
 * filesystem, but that is not relied on.
 */
export function stageImage(transport: Transport, image: BuiltImage, signal?: AbortSignal): Promise<BuiltImage> {
  if (transport.kind === 'local' || image.kind === 'user') return Promise.resolve(image);
  const id = `${transport.host}\0${image.name}\0${image.key}`;
  let p = staged.get(id);
  if (!p) {
    p = doStage(transport, image, signal);
    staged.set(id, p);
    p.catch(() => staged.delete(id));
  }
  return p;
}

async function doStage(transport: Transport, image: BuiltImage, signal?: AbortSignal): Promise<BuiltImage> {
  const dir = `${REMOTE_ROOT}/${image.name}-${image.key}`;
  const remote = (p: string | undefined) => (p ? `${dir}/${basename(p)}` : undefined);
  const result: BuiltImage = {
    ...image,
    kernel: remote(image.kernel),
    initrd: remote(image.initrd),
    disk: image.disk && { ...image.disk, path: `${dir}/${basename(image.disk.path)}` },
  };
  const have = await transport.exec(`test -f ${shellQuote(`${dir}/.complete`)}`, {
    timeoutMs: 15_000,
    signal,
    readOnly: true,
  });
  if (have.exitCode === 0) return result;
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await run(transport, `mkdir -p ${shellQuote(tmp)}`, signal);
  try {
    for (const file of [image.kernel, image.initrd, image.disk?.path].filter((f): f is string => !!f)) {
      await copyFile(transport, file, `${tmp}/${basename(file)}`, signal);
    }
    await run(
      transport,
      `touch ${shellQuote(`${tmp}/.complete`)} && rm -rf ${shellQuote(dir)} && ` +
        `mv ${shellQuote(tmp)} ${shellQuote(dir)}`,
      signal,
    );
  } catch (err) {
    await transport.exec(`rm -rf ${shellQuote(tmp)}`, { timeoutMs: 60_000 }).catch(() => {});
    throw err;
  }
  return result;
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
