import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { suiteDirs } from '../config/suite-dirs.ts';
import { HwqualError } from '../model/errors.ts';
import type { SuiteDef } from '../suite-api/types.ts';
import type { LoadedSuite } from './plan-types.ts';

export { SUITES_DIR, suiteDirs } from '../config/suite-dirs.ts';

/** Import <dir>/<name>/index.ts for each name; an unknown suite is bad input (E_USAGE). */
export async function loadSuites(names: readonly string[], dir?: string): Promise<LoadedSuite[]> {
  const dirs = dir ? [dir] : suiteDirs();
  const out: LoadedSuite[] = [];
  for (const name of names) {
    const file = dirs.map((d) => join(d, name, 'index.ts')).find((f) => existsSync(f));
    if (!file) throw new HwqualError('E_USAGE', `unknown suite "${name}" (looked in ${dirs.join(', ')})`);
    const mod = (await import(pathToFileURL(file).href)) as { default?: SuiteDef };
    if (!mod.default || typeof mod.default.cases !== 'function') {
      throw new HwqualError('E_USAGE', `suite "${name}": ${file} must export default defineSuite({...})`);
    }
    out.push({ name, def: mod.default });
  }
  return out;
}
