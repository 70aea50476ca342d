import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { HwqualError } from '../model/errors.ts';
import type { SuiteDef } from '../suite-api/types.ts';
import type { LoadedSuite } from './plan-types.ts';

export const SUITES_DIR = fileURLToPath(new URL('../../suites/', import.meta.url));

/** Import suites/<name>/index.ts for each name; an unknown suite is bad input (E_USAGE). */
export async function loadSuites(names: readonly string[], dir = SUITES_DIR): Promise<LoadedSuite[]> {
  const out: LoadedSuite[] = [];
  for (const name of names) {
    const file = join(dir, name, 'index.ts');
    if (!existsSync(file)) throw new HwqualError('E_USAGE', `unknown suite "${name}" (no ${file})`);
    const mod = (await import(pathToFileURL(file).href)) as { default?: SuiteDef };
    if (!mod.default || typeof mod.default.cases !== 'function') {
      throw new HwqualError('E_USAGE', `suite "${name}": ${file} must export default defineSuite({...})`);
    }
    out.push({ name, def: mod.default });
  }
  return out;
}
