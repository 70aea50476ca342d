// The repository's import graph and the boundary rules read from the DEPS.list files beside the code (Playwright's
// model): pure functions over an in-memory graph, so test/unit/boundaries.test.ts can show that each rule catches a
// planted violation, plus one reader that builds the graph from the files on disk.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

/** Repository-relative file → the repository files it imports (static, dynamic, type-only and re-exports). */
export type ImportGraph = Map<string, string[]>;

/**
 * The part of the house a file belongs to: `src/<folder>`, `suites/<suite>`, or the top folder (bench, scripts,
 * test…). A file may always import its own part; DEPS.list says what else.
 */
export function partOf(file: string): string {
  const [top, second] = file.split('/');
  if ((top === 'src' || top === 'suites') && second && file.split('/').length > 2) return `${top}/${second}`;
  return top!;
}

export interface DepsRules {
  /** Where the rules were read from (for messages). */
  file: string;
  /** The folder they govern, with everything below it that has no DEPS.list of its own. */
  dir: string;
  /** What every governed file may import besides its own part: folders (ending in `/`) or files. */
  all: string[];
  /** What one file (repository-relative) may import in addition. */
  perFile: Map<string, string[]>;
}

/**
 * A DEPS.list: `#` comments; `[*]` opens the section for every file, `[name.ts]` the section of one file (path
 * relative to the list); each other line is a folder (`../model/`) or a file, relative to the list's folder.
 */
export function parseDepsList(text: string, listFile: string): DepsRules {
  const dir = posix.dirname(listFile);
  const rules: DepsRules = { file: listFile, dir, all: [], perFile: new Map() };
  let section: string[] | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const head = /^\[(.+)\]$/.exec(line);
    if (head) {
      if (head[1] === '*') section = rules.all;
      else {
        const target = posix.join(dir, head[1]!);
        section = rules.perFile.get(target) ?? [];
        rules.perFile.set(target, section);
      }
      return;
    }
    if (!section) throw new Error(`${listFile}:${i + 1}: "${line}" comes before any [section]`);
    const entry = posix.join(dir, line).replace(/\/$/, '');
    section.push(line.endsWith('/') ? `${entry}/` : entry);
  });
  return rules;
}

function allows(entries: readonly string[], target: string): boolean {
  return entries.some((e) => (e.endsWith('/') ? target.startsWith(e) : target === e));
}

/** The rules that govern a file: the DEPS.list of its folder or of the nearest folder above it. */
export function rulesFor(file: string, rules: readonly DepsRules[]): DepsRules | undefined {
  let best: DepsRules | undefined;
  for (const r of rules) if (file.startsWith(`${r.dir}/`) && (!best || r.dir.length > best.dir.length)) best = r;
  return best;
}

/** Every import a DEPS.list does not allow, as `file → target (rules: list)`. Files no list governs are free. */
export function boundaryViolations(graph: ImportGraph, rules: readonly DepsRules[]): string[] {
  const out: string[] = [];
  for (const [file, targets] of graph) {
    const r = rulesFor(file, rules);
    if (!r) continue;
    for (const target of targets) {
      if (partOf(target) === partOf(file)) continue;
      if (allows(r.all, target) || allows(r.perFile.get(file) ?? [], target)) continue;
      out.push(`${file} → ${target} (rules: ${r.file})`);
    }
  }
  return out.sort();
}

/** Entries of the lists that name nothing in the repository (a rule about a file that moved away). */
export function staleEntries(rules: readonly DepsRules[], exists: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const r of rules) {
    for (const e of [...r.all, ...[...r.perFile.values()].flat()])
      if (!exists(e.replace(/\/$/, ''))) out.push(`${r.file}: ${e}`);
    for (const f of r.perFile.keys()) if (!exists(f)) out.push(`${r.file}: [${f}]`);
  }
  return out;
}

/** The import cycles: each strongly connected group of two or more files (or a file importing itself), sorted. */
export function importCycles(graph: ImportGraph): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) !== idx.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(group.sort());
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

const SOURCE = /\.(ts|mts|mjs|js)$/;

function* sourceFiles(root: string, dir: string): Generator<string> {
  for (const name of readdirSync(join(root, dir))) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const rel = dir ? `${dir}/${name}` : name;
    if (statSync(join(root, rel)).isDirectory()) yield* sourceFiles(root, rel);
    else if (SOURCE.test(name)) yield rel;
  }
}

/** The import graph of the source files under `tops` (relative imports only: packages and node: are not ours). */
export function readImportGraph(root: string, tops: readonly string[]): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const top of tops) {
    if (!existsSync(join(root, top))) continue;
    for (const file of sourceFiles(root, top)) {
      const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
      const targets = info.importedFiles
        .map((f) => f.fileName)
        .filter((spec) => spec.startsWith('./') || spec.startsWith('../'))
        .map((spec) =>
          relative(root, join(root, dirname(file), spec))
            .split(sep)
            .join('/'),
        );
      graph.set(file, [...new Set(targets)]);
    }
  }
  return graph;
}

/** Every DEPS.list under `tops`, parsed. */
export function readDepsLists(root: string, tops: readonly string[]): DepsRules[] {
  const out: DepsRules[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(join(root, dir))) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const rel = `${dir}/${name}`;
      if (statSync(join(root, rel)).isDirectory()) walk(rel);
      else if (name === 'DEPS.list') out.push(parseDepsList(readFileSync(join(root, rel), 'utf8'), rel));
    }
  };
  for (const top of tops) if (existsSync(join(root, top))) walk(top);
  return out;
}
