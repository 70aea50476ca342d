import { randomBytes } from 'node:crypto';
import { HwqualError, type CaseContext } from '../../src/suite-api/index.ts';
import { shellQuote, type DiskSpec } from '../../src/suite-api/vm.ts';

/**
 * QEMU's own LUKS (userspace, no device-mapper): a qcow2 image with `encrypt.format=luks` whose key is a secret
 * object read from a file (`--object secret,id=…,file=…`, never `data=`), so the key is on no command line.
 */
export const QEMU_PATTERN_PREFIX = 'HWQUAL-QEMU-LUKS';
export const SECRET_ID = 'hwqsec0';
/** Key slot PBKDF time in ms: fast for tests (QEMU's default is 2000). */
const ITER_TIME_MS = 10;
const CPU_USAGE_FLAKE = /Unable to get accurate CPU usage/;

export interface EncryptedDisk {
  dir: string;
  disk: string;
  keyFile: string;
  wrongKeyFile: string;
  /** The first line the guest must read back (not secret). */
  pattern: string;
  /** How many tries qemu-img create needed (a second one after "Unable to get accurate CPU usage"). */
  createAttempts: number;
}

/** The files in a private dir (0700): key, wrong key and pattern (0600); the dir is removed after the case. */
export async function makeEncryptedDisk(ctx: CaseContext): Promise<EncryptedDisk> {
  const dir = `/tmp/hwqual-qemu-luks-${randomBytes(6).toString('hex')}`;
  await ctx.run(`mkdir -m 700 ${shellQuote(dir)}`);
  // Cleanups run after the case's signal has ended: straight through the transport.
  ctx.defer(async () => {
    await ctx.transport.exec(`rm -rf ${shellQuote(dir)}`, { timeoutMs: 60_000 });
  });
  const pattern = `${QEMU_PATTERN_PREFIX}-${randomBytes(8).toString('hex')}`;
  const d: EncryptedDisk = {
    dir,
    disk: `${dir}/disk.qcow2`,
    keyFile: `${dir}/key`,
    wrongKeyFile: `${dir}/wrong-key`,
    pattern,
    createAttempts: 0,
  };
  const put = (path: string, data: string) =>
    ctx.transport.writeFile(path, data, { mode: 0o600, signal: ctx.signal, timeoutMs: 30_000 });
  await put(d.keyFile, randomBytes(32).toString('base64url'));
  await put(d.wrongKeyFile, randomBytes(32).toString('base64url'));
  await put(`${dir}/pattern.raw`, `${pattern}\n`.repeat(Math.ceil(4096 / (pattern.length + 1))).slice(0, 4096));

  const create =
    `qemu-img create -q --object secret,id=${SECRET_ID},file=${shellQuote(d.keyFile)} -f qcow2 ` +
    `-o encrypt.format=luks,encrypt.key-secret=${SECRET_ID},encrypt.iter-time=${ITER_TIME_MS} ` +
    `${shellQuote(d.disk)} 16M`;
  let r = await ctx.exec(create, { timeout: 120 });
  d.createAttempts = 1;
  if (r.exitCode !== 0 && CPU_USAGE_FLAKE.test(r.stderr)) {
    ctx.log(`qemu-img create failed once (${r.stderr.trim()}); retrying as QEMU's notes advise`);
    r = await ctx.exec(create, { timeout: 120 });
    d.createAttempts = 2;
  }
  if (r.exitCode !== 0)
    throw new HwqualError('E_COMMAND', `qemu-img create (qcow2, LUKS) failed: ${r.stderr.trim()}`, {
      host: ctx.host.name,
    });

  const write =
    `qemu-io --object secret,id=${SECRET_ID},file=${shellQuote(d.keyFile)} --image-opts ` +
    `driver=qcow2,file.filename=${d.disk},encrypt.key-secret=${SECRET_ID} ` +
    `-c ${shellQuote(`write -q -s ${dir}/pattern.raw 0 4k`)}`;
  const w = await ctx.exec(write, { timeout: 120 });
  if (w.exitCode !== 0 || /error|failed/i.test(w.stderr))
    throw new HwqualError('E_COMMAND', `qemu-io write through LUKS failed: ${(w.stderr || w.stdout).trim()}`, {
      host: ctx.host.name,
    });
  return d;
}

/** How many lines of the clear pattern the image file holds (0 when its data is encrypted). */
export async function clearTextLines(ctx: CaseContext, d: EncryptedDisk): Promise<number> {
  const r = await ctx.exec(`grep -c -a ${QEMU_PATTERN_PREFIX} ${shellQuote(d.disk)}`, { readOnly: true });
  if (r.exitCode !== 0 && r.exitCode !== 1)
    throw new HwqualError('E_COMMAND', `grep over ${d.disk} failed: ${r.stderr.trim()}`, { host: ctx.host.name });
  return Number(r.stdout.trim() || 0);
}

/** The encrypted disk for a VmSpec: the key is read from `keyFile` by QEMU itself (or libvirt's secret). */
export function encryptedDisk(disk: string, keyFile: string): DiskSpec {
  return { path: disk, format: 'qcow2', encryption: { keyFile, secretId: SECRET_ID } };
}

/**
 * What `ps` shows while QEMU runs: how many process lines hold the key (must be 0) and how many name the secret
 * object (at least QEMU's own: shows the check looked at the right processes). The key is matched from its file
 * (`grep -f`), so it is not on this command line either.
 */
export async function keyInProcessList(
  run: (command: string) => Promise<{ stdout: string }>,
  keyFile: string,
  driver: 'qemu' | 'libvirt' = 'qemu',
): Promise<{ withKey: number; withSecretObject: number }> {
  const key = `ps -eo args | grep -c -F -f ${shellQuote(keyFile)}`;
  // The bracket keeps grep from matching its own command line. libvirt passes its secrets as JSON objects: the disk
  // key AES-encrypted (`data`, `iv`) under a master key QEMU reads from a file of libvirt's.
  const pattern =
    driver === 'libvirt'
      ? '"qom-type":"secre[t]"'
      : `secret,id=${SECRET_ID.slice(0, -1)}[${SECRET_ID.slice(-1)}],file=`;
  const obj = `ps -eo args | grep -c ${shellQuote(pattern)}`;
  const r = await run(`${key}; ${obj}`);
  const [withKey, withSecretObject] = r.stdout.trim().split('\n').map(Number);
  return { withKey: withKey ?? NaN, withSecretObject: withSecretObject ?? NaN };
}
