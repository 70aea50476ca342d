import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Transport } from '../../transport/types.ts';
import type { DiskSpec } from '../spec.ts';
import { shellQuote } from '../shell.ts';
import { ownedDirCommand } from '../work-dirs.ts';
import { runLocal } from './run-local.ts';

export interface CloudInitSeed {
  /** The user-data document (usually starting with `#cloud-config`). */
  userData: string;
  /** meta-data; default: an instance-id derived from the user-data and the hostname `hwqual-guest`. */
  metaData?: string;
}

/**
 * A cloud-init NoCloud seed: user-data and meta-data in an ISO 9660 volume labelled `cidata` (genisoimage on the
 * controller), placed on the host through the transport, attached read-only. Returns the disk and a cleanup.
 */
export async function makeCidataDisk(
  transport: Transport,
  seed: CloudInitSeed,
  hostDir: string,
  signal?: AbortSignal,
): Promise<{ disk: DiskSpec; remove: () => Promise<void> }> {
  const tmp = await mkdtemp(join(tmpdir(), 'hwqual-cidata-'));
  try {
    const id = createHash('sha256').update(seed.userData).digest('hex').slice(0, 12);
    await writeFile(join(tmp, 'user-data'), seed.userData);
    await writeFile(
      join(tmp, 'meta-data'),
      seed.metaData ?? `instance-id: hwqual-${id}\nlocal-hostname: hwqual-guest\n`,
    );
    const iso = join(tmp, 'seed.iso');
    await runLocal('genisoimage', [
      '-quiet',
      '-output',
      iso,
      '-volid',
      'cidata',
      '-joliet',
      '-rock',
      join(tmp, 'user-data'),
      join(tmp, 'meta-data'),
    ]);
    const target = `${hostDir}/cidata-${id}-${process.pid}-${Date.now()}.iso`;
    await transport.exec(`${ownedDirCommand(dirname(hostDir))} && ${ownedDirCommand(hostDir)}`, {
      timeoutMs: 15_000,
      signal,
    });
    await transport.writeFile(target, await readFile(iso), { signal, timeoutMs: 60_000 });
    return {
      disk: { path: target, format: 'raw', readOnly: true },
      remove: async () => {
        await transport.exec(`rm -f ${shellQuote(target)}`, { timeoutMs: 15_000 });
      },
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
