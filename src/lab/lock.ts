import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HwqualError } from '../model/errors.ts';
import { poll } from '../util/poll.ts';
import { labDir } from './names.ts';
import { isAlive, recordProcess } from './proc.ts';
import type { RecordedProcess } from './types.ts';

/**
 * One `up`/`down` at a time per lab folder (e.g. two test files sharing a lab): `<dir>/lock` holds the owner's pid
 * and start time. A second caller waits; a lock whose owner died is taken over.
 */
export async function withLabLock<T>(dir: string, body: () => Promise<T>, waitMs = 120_000): Promise<T> {
  const path = join(labDir(dir), 'lock');
  mkdirSync(labDir(dir), { recursive: true });
  const me = recordProcess(process.pid)!;
  let unreadable = 0; // a lock just created may be empty for a moment
  let owner: RecordedProcess | undefined;
  const take = (): true | undefined => {
    for (;;) {
      try {
        writeFileSync(path, JSON.stringify(me), { flag: 'wx' });
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      owner = readOwner(path);
      if (!owner) unreadable++;
      if (!((owner && !isAlive(owner)) || unreadable > 5)) return undefined;
      rmSync(path, { force: true }); // its owner is gone (crash): take over
      unreadable = 0;
    }
  };
  if (!(await poll(take, { timeoutMs: waitMs, everyMs: 100 }))) {
    throw new HwqualError(
      'E_TIMEOUT',
      `lab ${labDir(dir)}: another hwqual (pid ${owner?.pid ?? '?'}) has been working on it for ${waitMs / 1000} s`,
    );
  }
  try {
    return await body();
  } finally {
    rmSync(path, { force: true });
  }
}

function readOwner(path: string): RecordedProcess | undefined {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as RecordedProcess;
    return typeof o.pid === 'number' && typeof o.startTime === 'string' ? o : undefined;
  } catch {
    return undefined; // half-written or gone
  }
}
