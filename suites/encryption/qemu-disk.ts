import { randomBytes } from 'node:crypto';
import { HwqualError, type CaseContext } from '../../src/suite-api/index.ts';
import {
  clearTextLines as clearLines,
  createLuksQcow2,
  keyInProcessList as keyInPs,
  shellQuote,
  writeKeyFile,
  type DiskSpec,
} from '../../src/suite-api/vm.ts';

/**
 * QEMU's own LUKS (userspace, no device-mapper): a qcow2 image with `encrypt.format=luks` whose key is a secret
 * object read from a file (`--object secret,id=…,file=…`, never `data=`), so the key is on no command line
 * (src/vm/luks-disk.ts, shared with the live-migration suite's encrypted data disk).
 */
export const QEMU_PATTERN_PREFIX = 'HWQUAL-QEMU-LUKS';
export const SECRET_ID = 'hwqsec0';

export interface EncryptedDisk {
  dir: string;
  disk: string;
  keyFile: string;
  wrongKeyFile: string;
  /** The first line the guest must read back (not secret). */
  pattern: string;
  /** How many tries qemu-img create needed (up to 3 after "Unable to get accurate CPU usage"). */
  createAttempts: number;
}

/** The files in a private dir (0700): key, wrong key and pattern (0600); the dir is removed after the case. */
export async function makeEncryptedDisk(ctx: CaseContext): Promise<EncryptedDisk> {
  const dir = `/tmp/hwqual-qemu-luks-${randomBytes(6).toString('hex')}`;
  // Cleanups run after the case's signal has ended: straight through the transport.
  ctx.defer(async () => {
    await ctx.transport.exec(`rm -rf ${shellQuote(dir)}`, { timeoutMs: 60_000 });
  });
  const pattern = `${QEMU_PATTERN_PREFIX}-${randomBytes(8).toString('hex')}`;
  const keyFile = await writeKeyFile(ctx.transport, dir, 'key', { signal: ctx.signal });
  const d: EncryptedDisk = {
    dir,
    disk: `${dir}/disk.qcow2`,
    keyFile,
    wrongKeyFile: await writeKeyFile(ctx.transport, dir, 'wrong-key', { signal: ctx.signal }),
    pattern,
    createAttempts: 0,
  };
  await ctx.transport.writeFile(
    `${dir}/pattern.raw`,
    `${pattern}\n`.repeat(Math.ceil(4096 / (pattern.length + 1))).slice(0, 4096),
    { mode: 0o600, signal: ctx.signal, timeoutMs: 30_000 },
  );
  d.createAttempts = await createLuksQcow2((c) => ctx.exec(c, { timeout: 120 }), {
    path: d.disk,
    keyFile,
    sizeMiB: 16,
    secretId: SECRET_ID,
    host: ctx.host.name,
    log: (m) => ctx.log(m),
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
export function clearTextLines(ctx: CaseContext, d: EncryptedDisk): Promise<number> {
  return clearLines((c) => ctx.exec(c, { readOnly: true }), d.disk, QEMU_PATTERN_PREFIX, ctx.host.name);
}

/** The encrypted disk for a VmSpec: the key is read from `keyFile` by QEMU itself (or libvirt's secret). */
export function encryptedDisk(disk: string, keyFile: string): DiskSpec {
  return { path: disk, format: 'qcow2', encryption: { keyFile, secretId: SECRET_ID } };
}

/**
 * What `ps` shows while the guest runs (src/vm/luks-disk.ts): process lines holding the key (must be 0), and those
 * naming this disk's secret object — under libvirt its JSON secret objects, the key AES-encrypted under libvirt's
 * master key.
 */
export function keyInProcessList(
  run: (command: string) => Promise<{ stdout: string }>,
  keyFile: string,
  driver: 'qemu' | 'libvirt' = 'qemu',
): Promise<{ withKey: number; withSecretObject: number }> {
  return keyInPs(run, keyFile, SECRET_ID, driver);
}
