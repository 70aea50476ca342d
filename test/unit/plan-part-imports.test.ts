// Every hwqual command that reads a plan loads every suite's plan-schema.ts first (src/config/suite-dirs.ts), before
// any host is contacted: a part that pulls the full suite-api barrels in costs every command ~0.5 s of start-up (the
// configs phase went 0.6–0.7 s → 0.23–0.35 s when they moved to src/suite-api/plan-part.ts). This holds each part,
// and every file of its suite it loads, to the light door: at run time (type-only imports vanish) nothing of src/
// but src/suite-api/plan-part.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/paths.ts';

/** The modules a file imports at run time: `import type …` and imports of only `type X` names are left out. Pure. */
function runtimeImports(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/^import\s+([\s\S]*?)\s+from\s+'([^']+)';/gm)) {
    const [, what, from] = m;
    if (/^type\s/.test(what!)) continue;
    const names = /^\{([\s\S]*)\}$/.exec(what!.trim())?.[1];
    if (names?.split(',').every((n) => !n.trim() || /^type\s/.test(n.trim()))) continue;
    out.push(from!);
  }
  for (const m of source.matchAll(/^import\s+'([^']+)';/gm)) out.push(m[1]!);
  return out;
}

/** Repository-relative files under src/ that `file` loads at run time, following its own suite's files. */
function srcLoadedBy(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const found: string[] = [];
  for (const spec of runtimeImports(readFileSync(file, 'utf8'))) {
    if (!spec.startsWith('.')) continue; // node: builtins and packages
    const target = resolve(dirname(file), spec);
    const rel = relative(PROJECT_ROOT, target);
    if (rel.startsWith('src/')) found.push(rel);
    else found.push(...srcLoadedBy(target, seen));
  }
  return found;
}

describe('plan parts load only the light door', () => {
  it('runtimeImports leaves type-only imports out', () => {
    const src = [
      "import type { A } from './a.ts';",
      "import { type B, type C } from './b.ts';",
      "import { D, type E } from './d.ts';",
      "import {\n  F,\n  type G,\n} from './f.ts';",
      "import { readFileSync } from 'node:fs';",
    ].join('\n');
    expect(runtimeImports(src)).toEqual(['./d.ts', './f.ts', 'node:fs']);
  });

  const suites = readdirSync(join(PROJECT_ROOT, 'suites'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(PROJECT_ROOT, 'suites', d.name, 'plan-schema.ts')))
    .map((d) => d.name);

  it.each(suites)('%s', (suite) => {
    const loaded = srcLoadedBy(join(PROJECT_ROOT, 'suites', suite, 'plan-schema.ts'));
    expect(loaded.filter((f) => f !== 'src/suite-api/plan-part.ts')).toEqual([]);
  });
});
