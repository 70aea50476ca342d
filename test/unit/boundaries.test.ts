// The house's boundaries, checked rather than described: every import follows the DEPS.list of its folder (suites
// only through src/suite-api, report only the model, probe neither vm nor transport, transport only the
// host-connection type of the config…), and nothing imports itself round in a circle — bench, scripts and tests
// included. The checker is shown to catch planted violations on small in-memory graphs, with the real rules.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  boundaryViolations,
  importCycles,
  parseDepsList,
  readDepsLists,
  readImportGraph,
  rulesFor,
  staleEntries,
  type ImportGraph,
} from '../support/import-graph.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

const CODE = ['src', 'suites', 'bench', 'scripts', 'bin', 'fixtures', 'test'];
const graph = readImportGraph(PROJECT_ROOT, CODE);
const rules = readDepsLists(PROJECT_ROOT, ['src', 'suites']);
const planted = (...edges: Array<[string, string]>): ImportGraph => {
  const g: ImportGraph = new Map();
  for (const [from, to] of edges) g.set(from, [...(g.get(from) ?? []), to]);
  return g;
};

describe('boundaries of the house', () => {
  it('reads the whole tree (a sanity check on the reader, so the rules below are not vacuous)', () => {
    expect(graph.size).toBeGreaterThan(300);
    expect(graph.get('suites/live-migration/migrate-case.ts')).toContain('src/suite-api/migration.ts');
    expect(rules.map((r) => r.dir)).toEqual(expect.arrayContaining(['src/report', 'src/transport', 'suites']));
  });

  it('every import follows the DEPS.list of its folder', () => {
    expect(boundaryViolations(graph, rules)).toEqual([]);
  });

  it('no import cycles anywhere: src, suites, bench, scripts, fixtures, tests', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it('every folder of src/ and every suite is governed by a DEPS.list', () => {
    const free = [...graph.keys()].filter((f) => /^(src|suites)\/[^/]+\//.test(f) && !rulesFor(f, rules));
    expect(free).toEqual([]);
    for (const dir of readdirSync(join(PROJECT_ROOT, 'src'))) {
      if (statSync(join(PROJECT_ROOT, 'src', dir)).isDirectory())
        expect(existsSync(join(PROJECT_ROOT, 'src', dir, 'DEPS.list')), `src/${dir}/DEPS.list`).toBe(true);
    }
  });

  it('no DEPS.list names a folder or file that is not there', () => {
    expect(staleEntries(rules, (p) => existsSync(join(PROJECT_ROOT, p)))).toEqual([]);
  });
});

describe('the checker catches what the rules forbid (planted imports, real rules)', () => {
  const check = (from: string, to: string) => boundaryViolations(planted([from, to]), rules);

  it('a suite reaching past the suite API, or into another suite', () => {
    expect(check('suites/encryption/x.ts', 'src/vm/vm.ts')).toEqual([
      'suites/encryption/x.ts → src/vm/vm.ts (rules: suites/DEPS.list)',
    ]);
    expect(check('suites/live-migration/x.ts', 'suites/cpu-features/accel.ts')).toHaveLength(1);
    expect(check('suites/live-migration/x.ts', 'src/lab/index.ts')).toHaveLength(1);
    expect(check('suites/encryption/x.ts', 'src/suite-api/vm.ts')).toEqual([]);
    expect(check('suites/encryption/x.ts', 'suites/encryption/read.ts')).toEqual([]);
  });

  it('report beyond the model, probe into vm or transport, transport into the config types', () => {
    expect(check('src/report/html.ts', 'src/runner/run.ts')).toHaveLength(1);
    expect(check('src/report/html.ts', 'src/model/result.ts')).toEqual([]);
    expect(check('src/probe/qmp-cpu.ts', 'src/vm/qmp-client.ts')).toHaveLength(1);
    expect(check('src/probe/qmp-cpu.ts', 'src/transport/types.ts')).toHaveLength(1);
    expect(check('src/transport/ssh.ts', 'src/config/types.ts')).toHaveLength(1);
    expect(check('src/transport/ssh.ts', 'src/config/host-connection.ts')).toEqual([]);
  });

  it('a wing entered past its door, the runner importing a VM, a low layer importing a high one', () => {
    expect(check('src/cli/commands/x.ts', 'src/migration/hop.ts')).toHaveLength(1);
    expect(check('src/cli/commands/x.ts', 'src/migration/index.ts')).toEqual([]);
    expect(check('src/runner/x.ts', 'src/vm/vm.ts')).toHaveLength(1);
    expect(check('src/model/x.ts', 'src/config/types.ts')).toHaveLength(1);
    expect(check('src/vm/x.ts', 'src/migration/index.ts')).toHaveLength(1);
  });

  it('cycles of any length, and a file importing itself; none in a tree', () => {
    expect(importCycles(planted(['a', 'b'], ['b', 'c'], ['c', 'a'], ['c', 'd']))).toEqual([['a', 'b', 'c']]);
    expect(importCycles(planted(['a', 'a']))).toEqual([['a']]);
    expect(importCycles(planted(['a', 'b'], ['a', 'c'], ['b', 'c']))).toEqual([]);
  });
});

describe('DEPS.list', () => {
  it('reads [*] and [file] sections relative to the list, folders and files', () => {
    const r = parseDepsList('# rules\n[*]\n../model/\n\n[x.ts]\n../vm/vm.ts # one file\n', 'src/probe/DEPS.list');
    expect(r.all).toEqual(['src/model/']);
    expect(r.perFile).toEqual(new Map([['src/probe/x.ts', ['src/vm/vm.ts']]]));
    expect(boundaryViolations(planted(['src/probe/x.ts', 'src/vm/vm.ts']), [r])).toEqual([]);
    expect(boundaryViolations(planted(['src/probe/y.ts', 'src/vm/vm.ts']), [r])).toHaveLength(1);
  });

  it('refuses an entry outside any section, and names stale entries', () => {
    expect(() => parseDepsList('../model/\n', 'src/x/DEPS.list')).toThrow('src/x/DEPS.list:1');
    const r = parseDepsList('[*]\n../gone/\n[old.ts]\n', 'src/x/DEPS.list');
    expect(staleEntries([r], () => false)).toEqual(['src/x/DEPS.list: src/gone/', 'src/x/DEPS.list: [src/x/old.ts]']);
  });
});
