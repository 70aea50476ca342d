import { randomBytes } from 'node:crypto';
import type { CaseContext } from '../../src/suite-api/index.ts';
import {
  checkSharedStorage,
  type Endpoint,
  type VerdictCheck,
  type WorkloadDisk,
} from '../../src/suite-api/migration.ts';
import {
  clearTextLines,
  createLuksQcow2,
  keyInProcessList,
  randomKey,
  shellQuote,
  writeKeyFile,
} from '../../src/suite-api/vm.ts';
import type { MigrationSettings } from './settings.ts';

/** The marker the workload writes into every stamped block (fixtures/workload): in the clear only on a plain disk. */
export const DISK_STAMP = 'HWQUAL-DISK-STAMP';
/** QEMU's secret object for the data disk's key (the `ps` check looks for it by this id and the key file). */
const SECRET_ID = 'hwqdisk0';

export interface DataDisk {
  disk: WorkloadDisk;
  /** `ps` on both hosts of a hop: no key on any command line, and QEMU reading each host's own key file. */
  psChecks(hop: { from: Endpoint; to: Endpoint }): Promise<VerdictCheck[]>;
  /** How many lines of the disk file hold a stamp in the clear (must be 0 when encrypted). */
  clearText(): Promise<number>;
}

/**
 * The migrated guest's data disk: first the Nova-style shared-storage check (an `error` before any guest boots when
 * the directory is not shared), then — for `luks` — one key, written by each host's own transport into that host's
 * own 0700 directory as a 0600 file (`wrongKeyOn`: that host gets a different key), and a LUKS qcow2 made on the
 * source in the shared directory. Everything is removed after the case.
 */
export async function prepareDataDisk(
  ctx: CaseContext,
  s: MigrationSettings,
  a: Endpoint,
  b: Endpoint,
  o: { wrongKeyOn?: string } = {},
): Promise<DataDisk> {
  const d = s.disk!;
  ctx.log(await checkSharedStorage(a, b, s.sharedStorage!, { signal: ctx.signal }));
  const path = `${s.sharedStorage!.replace(/\/+$/, '')}/hwqual-mig-${randomBytes(6).toString('hex')}.qcow2`;
  ctx.defer(async () => {
    await a.transport.exec(`rm -f ${shellQuote(path)}`, { timeoutMs: 30_000 });
  });
  const keyFiles: Record<string, string> = {};
  if (d.luks) {
    const key = randomKey();
    for (const end of [a, b]) {
      const dir = `/tmp/hwqual-mig-key-${randomBytes(6).toString('hex')}`;
      ctx.defer(async () => {
        await end.transport.exec(`rm -rf ${shellQuote(dir)}`, { timeoutMs: 30_000 });
      });
      const own = end.name === o.wrongKeyOn ? randomKey() : key;
      keyFiles[end.name] = await writeKeyFile(end.transport, dir, 'key', { signal: ctx.signal, key: own });
    }
    await createLuksQcow2((c) => ctx.exec(c, { timeout: 120 }), {
      path,
      keyFile: keyFiles[a.name],
      sizeMiB: d.sizeMiB,
      secretId: SECRET_ID,
      host: a.name,
      log: (m) => ctx.log(m),
    });
  } else {
    await ctx.run(`qemu-img create -q -f qcow2 ${shellQuote(path)} ${d.sizeMiB}M`, { timeout: 120 });
  }
  ctx.log(
    `data disk ${path}: ${d.sizeMiB} MiB qcow2` +
      (d.luks ? ', LUKS; each host reads the key from its own 0600 file' : '') +
      (o.wrongKeyOn ? ` (${o.wrongKeyOn} gets the wrong key)` : ''),
  );
  return {
    disk: {
      path,
      format: 'qcow2',
      ...(d.luks && { keyFiles, secretId: SECRET_ID }),
      stampKiB: Math.min(4096, (d.sizeMiB - 8) * 1024),
      rateKiBps: 64,
    },
    async psChecks({ from, to }) {
      if (!d.luks) return [];
      const checks: VerdictCheck[] = [];
      for (const end of [from, to]) {
        const run = (c: string) => end.transport.exec(c, { timeoutMs: 30_000, readOnly: true });
        const ps = await keyInProcessList(run, keyFiles[end.name], SECRET_ID);
        checks.push(
          {
            name: `no key on any command line on ${end.name} (ps)`,
            ok: ps.withKey === 0,
            detail: `${ps.withKey} process(es) on ${end.name} show the key`,
          },
          {
            name: `QEMU on ${end.name} reads the key from its own file (ps)`,
            ok: ps.withSecretObject >= 1,
            detail: `${ps.withSecretObject} process(es) name secret ${SECRET_ID} with ${end.name}'s key file`,
          },
        );
      }
      return checks;
    },
    clearText: () => clearTextLines((c) => ctx.exec(c, { readOnly: true }), path, DISK_STAMP, a.name),
  };
}
