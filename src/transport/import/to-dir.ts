import { existsSync, readdirSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { HwqualError } from '../../model/errors.ts';
import { saveProfile } from '../profile.ts';
import { importProfile, type ImportSpec, type InputKind } from './build.ts';

/** What `hwqual profile import` is asked (files by name, read here). */
export interface ImportRequest extends Omit<ImportSpec, 'inputs' | 'name'> {
  out: string;
  /** Profile name; default: the folder's name. */
  name?: string;
  /** Replace an existing profile folder. */
  force?: boolean;
  /** Read the dumps relative to this folder (default: the working directory); the sources name them as given. */
  from?: string;
  inputs: Array<{ kind: InputKind; file: string; what?: string }>;
}

/**
 * Read, check and write a profile from public dumps. Every dump is read and checked before anything is written; the
 * folder appears whole or not at all (built beside it, then renamed). An existing folder is refused without `force`,
 * and `force` replaces only a folder that is a profile (has profile.json) or is empty.
 */
export async function importToDir(r: ImportRequest): Promise<{ dir: string; commands: number; qmp: boolean }> {
  const dir = resolve(r.out);
  if (existsSync(dir)) {
    if (!r.force) throw new HwqualError('E_USAGE', `${r.out} exists (use --force to replace the profile in it)`);
    const entries = readdirSync(dir);
    if (entries.length && !entries.includes('profile.json'))
      throw new HwqualError(
        'E_USAGE',
        `${r.out} is not a host profile (no profile.json): not replacing it, even with --force`,
      );
  }
  const inputs = await Promise.all(
    r.inputs.map(async (i) => {
      try {
        return { ...i, text: await readFile(resolve(r.from ?? '.', i.file), 'utf8') };
      } catch (err) {
        throw new HwqualError('E_CONFIG', `${i.file}: cannot read it: ${(err as Error).message}`);
      }
    }),
  );
  const data = importProfile({ ...r, name: r.name ?? basename(dir), inputs });
  const tmp = join(dirname(dir), `.${basename(dir)}.import-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  try {
    await saveProfile(tmp, data);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { dir, commands: data.commands.length, qmp: Object.keys(data.qmpFiles).length > 0 };
}
