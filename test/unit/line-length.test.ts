// 120 columns, everywhere: Biome wraps code at 120, but not string literals, template literals or comments; this
// fails on any line of a .ts file in src/, suites/, bench/, scripts/ or test/ that is longer, naming file and line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/paths.ts';

const LIMIT = 120;
const SCANNED = ['src', 'suites', 'bench', 'scripts', 'test'];

/** `line: columns` of each line longer than `limit` (columns = code points: `→` is one). */
function longLines(text: string, limit = LIMIT): string[] {
  return text.split('\n').flatMap((line, i) => {
    const columns = [...line].length;
    return columns > limit ? [`${i + 1}: ${columns}`] : [];
  });
}

function* tsFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* tsFiles(path);
    else if (name.endsWith('.ts')) yield path;
  }
}

describe('line length', () => {
  it(`no .ts line in ${SCANNED.join(', ')} is over ${LIMIT} columns`, () => {
    const over: string[] = [];
    let files = 0;
    for (const top of SCANNED) {
      for (const path of tsFiles(join(PROJECT_ROOT, top))) {
        files++;
        for (const at of longLines(readFileSync(path, 'utf8'))) over.push(`${relative(PROJECT_ROOT, path)}:${at}`);
      }
    }
    expect(files).toBeGreaterThan(300);
    expect(over).toEqual([]);
  });

  it('counts columns, not bytes, and names each line over the limit', () => {
    const fits = `// ${'→'.repeat(LIMIT - 3)}`;
    expect(longLines(`short\n${fits}\n${fits}x\n${'a'.repeat(LIMIT + 5)}`)).toEqual([
      `3: ${LIMIT + 1}`,
      `4: ${LIMIT + 5}`,
    ]);
  });
});
