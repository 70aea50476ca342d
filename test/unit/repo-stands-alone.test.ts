// The repository stands alone: nothing in src/, suites/, bench/, test/ or scripts/ reads a path outside it. A clone
// with nothing beside it must pass `npm test`; reference files live in fixtures/ (real-hosts, schemas, host checks).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/paths.ts';

const SCANNED = ['src', 'suites', 'bench', 'test', 'scripts', 'bin'];
const THIS_FILE = relative(PROJECT_ROOT, import.meta.filename);

/** Built from pieces so that this file does not match itself. */
const FORBIDDEN: Array<[string, RegExp]> = [
  ['the shared folder beside the repository', new RegExp(['\\.\\.', 'shared'].join('/'))],
  ['an environment variable pointing at it', new RegExp(['HWQUAL', 'SHARED'].join('_'))],
  ['an absolute path of this machine', new RegExp(`(?<![\\w.-])/(${['work', 'root', 'home'].join('|')})/`)],
];

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(ts|mjs|js|sh|py|json|ya?ml)$/.test(name)) yield path;
  }
}

describe('the repository stands alone', () => {
  it('no code, test, bench or script reads outside the repository', () => {
    const hits: string[] = [];
    for (const top of SCANNED) {
      for (const path of files(join(PROJECT_ROOT, top))) {
        const rel = relative(PROJECT_ROOT, path);
        if (rel === THIS_FILE) continue;
        readFileSync(path, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            for (const [what, re] of FORBIDDEN)
              if (re.test(line)) hits.push(`${rel}:${i + 1}: ${what}: ${line.trim()}`);
          });
      }
    }
    expect(hits).toEqual([]);
  });

  it('the detector sees each kind of outside path (it can fail)', () => {
    const samples = [
      `${['..', 'shared'].join('/')}/x`,
      `process.env.${['HWQUAL', 'SHARED'].join('_')}`,
      `'/${'work'}/x'`,
    ];
    for (const [i, s] of samples.entries()) expect(FORBIDDEN[i]![1].test(s), s).toBe(true);
    expect(FORBIDDEN[2]![1].test('/var/tmp/hwqual-images/a')).toBe(false);
  });
});
