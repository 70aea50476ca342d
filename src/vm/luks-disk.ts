import { randomBytes } from 'node:crypto';
import { HwqualError } from '../model/errors.ts';
import type { ExecResult } from '../model/exec.ts';
import type { Transport } from '../transport/types.ts';
import { shellQuote } from './shell.ts';

/**
 * QEMU's own LUKS (userspace, no device-mapper) for guest disks: a qcow2 image with `encrypt.format=luks` whose key
 * is a secret object QEMU reads from a file (`--object secret,id=…,file=…`, never `data=`), so the key is on no
 * command line; a key lives only in a 0600 file in a 0700 directory of the host that uses it. Used by the encryption
 * suite's qemu-luks-disk case and by the live-migration suite's encrypted data disk.
 */

/** How a caller runs a command on the host (ctx.exec, so it lands in the case's transcript; or a transport). */
export type RunOnHost = (command: string) => Promise<ExecResult>;

/** Key slot PBKDF time in ms: fast for tests (QEMU's default is 2000). */
const ITER_TIME_MS = 10;
const CPU_USAGE_FLAKE = /Unable to get accurate CPU usage/;

/** How many times qemu-img create is tried when QEMU could not time its key derivation. */
const CREATE_TRIES = 3;

/**
 * `qemu-img create` a LUKS qcow2 of `sizeMiB` with the key in `keyFile` (QEMU reads it). QEMU times PBKDF2 rounds by
 * the thread's CPU time to pick the iteration count, and fails with "Unable to get accurate CPU usage" when a round
 * measured 0 ms (QEMU-NOTES; on a loaded 2-core host it failed twice in a row once): tried up to CREATE_TRIES times.
 * Returns how many tries it took; E_COMMAND when it failed.
 */
export async function createLuksQcow2(
  run: RunOnHost,
  o: { path: string; keyFile: string; sizeMiB: number; secretId?: string; host?: string; log?: (m: string) => void },
): Promise<number> {
  const id = o.secretId ?? 'hwqsec0';
  const create =
    `qemu-img create -q --object secret,id=${id},file=${shellQuote(o.keyFile)} -f qcow2 ` +
    `-o encrypt.format=luks,encrypt.key-secret=${id},encrypt.iter-time=${ITER_TIME_MS} ` +
    `${shellQuote(o.path)} ${o.sizeMiB}M`;
  let r = await run(create);
  let attempts = 1;
  while (r.exitCode !== 0 && CPU_USAGE_FLAKE.test(r.stderr) && attempts < CREATE_TRIES) {
    o.log?.(`qemu-img create failed (try ${attempts}: ${r.stderr.trim()}); retrying as QEMU's notes advise`);
    r = await run(create);
    attempts++;
  }
  if (r.exitCode !== 0)
    throw new HwqualError('E_COMMAND', `qemu-img create (qcow2, LUKS) failed: ${r.stderr.trim()}`, { host: o.host });
  return attempts;
}

/** A fresh random key (256 bits, base64url): the content of a key file. */
export function randomKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * A key in `<dir>/<name>` (0600) on the transport's host, `dir` made 0700 first: `o.key`, or a fresh random one. The
 * key is written through the transport (SFTP or a local file), never a command line. Returns the file's path.
 */
export async function writeKeyFile(
  transport: Transport,
  dir: string,
  name = 'key',
  o: { signal?: AbortSignal; key?: string } = {},
): Promise<string> {
  const made = await transport.exec(`mkdir -p -m 700 ${shellQuote(dir)}`, { timeoutMs: 30_000, signal: o.signal });
  if (made.exitCode !== 0)
    throw new HwqualError('E_COMMAND', `mkdir ${dir} failed: ${made.stderr.trim()}`, { host: transport.host });
  const file = `${dir}/${name}`;
  await transport.writeFile(file, o.key ?? randomKey(), {
    mode: 0o600,
    signal: o.signal,
    timeoutMs: 30_000,
  });
  return file;
}

/** A basic regex for `text` that does not match its own command line (its last character in brackets). */
function notSelf(text: string): string {
  const esc = (t: string) => t.replace(/[.[\]*^$\\]/g, '\\$&');
  return /[A-Za-z0-9]$/.test(text) ? `${esc(text.slice(0, -1))}[${text.slice(-1)}]` : esc(text);
}

/**
 * What `ps` shows while QEMU runs: how many process lines hold the key (must be 0) and how many name the secret
 * object reading this very key file (at least one: QEMU itself — it shows the check looked at the right process).
 * The key is matched from its file (`grep -f`), so it is not on this command line either. Under libvirt QEMU gets
 * its secrets as JSON objects instead (the disk key AES-encrypted, `data` and `iv`, under a master key QEMU reads
 * from a file of libvirt's): those are counted.
 */
export async function keyInProcessList(
  run: (command: string) => Promise<{ stdout: string }>,
  keyFile: string,
  secretId = 'hwqsec0',
  driver: 'qemu' | 'libvirt' = 'qemu',
): Promise<{ withKey: number; withSecretObject: number }> {
  const key = `ps -eo args | grep -c -F -f ${shellQuote(keyFile)}`;
  const pattern = driver === 'libvirt' ? '"qom-type":"secre[t]"' : notSelf(`secret,id=${secretId},file=${keyFile}`);
  const obj = `ps -eo args | grep -c ${shellQuote(pattern)}`;
  const r = await run(`${key}; ${obj}`);
  const [withKey, withSecretObject] = r.stdout.trim().split('\n').map(Number);
  return { withKey: withKey ?? NaN, withSecretObject: withSecretObject ?? NaN };
}

/** How many lines of `file` hold `needle` in the clear (0 when its data is encrypted); E_COMMAND when grep fails. */
export async function clearTextLines(run: RunOnHost, file: string, needle: string, host?: string): Promise<number> {
  const r = await run(`grep -c -a ${shellQuote(needle)} ${shellQuote(file)}`);
  if (r.exitCode !== 0 && r.exitCode !== 1)
    throw new HwqualError('E_COMMAND', `grep over ${file} failed: ${r.stderr.trim()}`, { host });
  return Number(r.stdout.trim() || 0);
}
