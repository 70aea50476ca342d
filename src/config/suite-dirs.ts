import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { HwqualError } from '../model/errors.ts';
import type { PlanPart } from './plan-parts.ts';

/** The built-in suites (one folder each). */
export const SUITES_DIR = fileURLToPath(new URL('../../suites/', import.meta.url));

/** Where suites are looked up: the built-in suites/ folder, then each folder of HWQUAL_SUITES_PATH. */
export function suiteDirs(extra = process.env.HWQUAL_SUITES_PATH): string[] {
  return [
    SUITES_DIR,
    ...(extra
      ? extra
          .split(delimiter)
          .filter(Boolean)
          .map((d) => resolve(d))
      : []),
  ];
}

/** Every suite these folders hold (a folder with an index.ts), by name; the first folder wins a name. */
export function knownSuites(dirs: readonly string[] = suiteDirs()): Map<string, string> {
  const out = new Map<string, string>();
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const name of names)
      if (!out.has(name) && existsSync(join(dir, name, 'index.ts'))) out.set(name, join(dir, name));
  }
  return out;
}

const cache = new Map<string, Promise<PlanPart[]>>();

/**
 * The plan parts (`plan-schema.ts`) of every known suite, in name order. Small modules with no heavy imports: the
 * plan is validated before the suites themselves load and before any host is contacted.
 */
export function loadPlanParts(dirs: readonly string[] = suiteDirs()): Promise<PlanPart[]> {
  const key = dirs.join(delimiter);
  let parts = cache.get(key);
  if (!parts) {
    parts = importParts(knownSuites(dirs));
    cache.set(key, parts);
  }
  return parts;
}

async function importParts(suites: Map<string, string>): Promise<PlanPart[]> {
  const found = [...suites].filter(([, dir]) => existsSync(join(dir, 'plan-schema.ts')));
  return Promise.all(
    found.map(async ([name, dir]) => {
      const file = join(dir, 'plan-schema.ts');
      // A built-in suite's part is hwqual's own code; one from HWQUAL_SUITES_PATH is the user's input.
      const code = dir.startsWith(SUITES_DIR) ? 'E_INTERNAL' : 'E_USAGE';
      let mod: { default?: PlanPart };
      try {
        mod = (await import(pathToFileURL(file).href)) as { default?: PlanPart };
      } catch (err) {
        throw new HwqualError(code, `${file} does not load: ${(err as Error).message}`, { cause: err });
      }
      if (!mod.default || mod.default.suite !== name)
        throw new HwqualError(code, `${file} must export default a plan part with suite: '${name}'`);
      return mod.default;
    }),
  );
}
