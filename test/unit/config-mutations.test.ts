// Every example plan and lab of the repository (fixtures/, the README and docs/) is valid, and every mutation of
// them — a misspelled key, a wrong type, an out-of-range number, a name that names nothing — is bad input naming
// the field: the in-process validation (what `hwqual validate` runs) finds it, without a stack trace and without
// contacting anything. A handful go through the real CLI to prove exit 2 and that no host is contacted.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { parse, parseDocument, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  checkConfigs,
  ConfigError,
  composePlanSchema,
  fixedSchema,
  knownSuites,
  loadPlanParts,
  validateAgainst,
} from '../../src/config/index.ts';
import type { RawConfigFile } from '../../src/config/read.ts';
import { runCli } from '../support/cli.ts';
import { mutations, type Mutation } from '../support/mutations.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { TEST_SUITE_DIRS } from '../support/plan-check.ts';
import { tempDir } from '../support/temp-dir.ts';

type Json = Parameters<typeof mutations>[1];
interface Example {
  name: string;
  lab: Json;
  plan: Json;
}

const read = (rel: string) => parse(readFileSync(join(PROJECT_ROOT, rel), 'utf8')) as Json;
const FIXTURE_LAB = 'fixtures/labs/three-hosts.yaml';

/** ```yaml blocks of a markdown file that parse as one document. */
function yamlBlocks(rel: string): Json[] {
  const text = readFileSync(join(PROJECT_ROOT, rel), 'utf8');
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap((m) => {
    const doc = parseDocument(m[1]!, { uniqueKeys: true });
    return doc.errors.length ? [] : [doc.toJS() as Json];
  });
}

const isObj = (v: Json): v is { [k: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);
const isLab = (v: Json) => isObj(v) && Array.isArray(v.hosts) && v.hosts.some((h) => isObj(h) && 'address' in h);
const PLAN_KEYS = ['require', 'settings', 'migration', 'images', 'cpuModels', 'accel', 'suites'];
/** A convergence-lab grid (`lab-migrate --plan`): its own schema, no lab. */
const isGrid = (v: Json) => isObj(v) && ('dirty' in v || 'bandwidth' in v);

/** Every docs page's grid examples. */
function gridExamples(): Array<{ name: string; grid: Json }> {
  return readdirSync(join(PROJECT_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .flatMap((f) =>
      yamlBlocks(`docs/${f}`)
        .filter(isGrid)
        .map((grid, i) => ({ name: `docs/${f} grid #${i + 1}`, grid })),
    );
}

function gridProblems(data: Json): string[] {
  try {
    validateAgainst('grid', 'grid.yaml', data);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

/** The examples: fixtures/ pairs, then each docs page's plan (with the page's own lab, or the fixture lab). */
function examples(): Example[] {
  const out: Example[] = [
    { name: 'fixtures/plans/demo.yaml', lab: read('fixtures/labs/local.yaml'), plan: read('fixtures/plans/demo.yaml') },
    { name: 'fixtures/plans/every-key.yaml', lab: read(FIXTURE_LAB), plan: read('fixtures/plans/every-key.yaml') },
  ];
  const pages = [
    'README.md',
    ...readdirSync(join(PROJECT_ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
    ...readdirSync(join(PROJECT_ROOT, 'docs/suites'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/suites/${f}`),
  ];
  for (const page of pages) {
    const blocks = yamlBlocks(page).filter(isObj);
    const lab = blocks.find(isLab) ?? read(FIXTURE_LAB);
    const suite = page.startsWith('docs/suites/') ? basename(page, '.md') : 'live-migration';
    const plans = blocks.filter((b) => !isLab(b) && !isGrid(b) && PLAN_KEYS.some((k) => k in b));
    plans.forEach((b, i) => {
      out.push({ name: `${page} #${i + 1}`, lab, plan: 'name' in b ? b : { name: 'doc', suites: [suite], ...b } });
    });
  }
  return out;
}

const file = (label: string, data: Json): RawConfigFile => ({
  path: `/nowhere/${label}`,
  label,
  sha256: '0'.repeat(64),
  data,
});

describe('example configs and their mutations', async () => {
  const parts = await loadPlanParts(TEST_SUITE_DIRS);
  const suites = knownSuites(TEST_SUITE_DIRS);
  const planSchema = composePlanSchema(parts);
  const labSchema = fixedSchema('lab');
  const check = (lab: Json, plan: Json) => checkConfigs(file('lab.yaml', lab), file('plan.yaml', plan), parts, suites);
  const all = examples();

  it('finds the fixtures, the README and the docs examples, and each is valid as it stands', () => {
    expect(all.map((e) => e.name)).toEqual(
      expect.arrayContaining([
        'fixtures/plans/every-key.yaml',
        'README.md #1',
        'docs/configuration.md #1',
        'docs/live-migration.md #1',
        'docs/suites/guest-images.md #1',
      ]),
    );
    for (const e of all) expect(check(e.lab, e.plan).problems, e.name).toEqual([]);
  });

  const generated: Array<{ example: string; file: 'plan' | 'lab'; m: Mutation }> = all.flatMap((e) => [
    ...mutations(planSchema, e.plan).map((m) => ({ example: e.name, file: 'plan' as const, m })),
    ...mutations(labSchema, e.lab).map((m) => ({ example: e.name, file: 'lab' as const, m })),
  ]);

  it(`generates several hundred mutations of every kind (${generated.length})`, () => {
    expect(generated.length).toBeGreaterThan(400);
    for (const kind of ['misspelled key', 'wrong type', 'out of range', 'unknown name'])
      expect(generated.filter((g) => g.m.kind === kind).length, kind).toBeGreaterThan(20);
  });

  it('each mutation is bad input naming its file and field, found in-process without a throw', () => {
    const missed: string[] = [];
    for (const { example, file: which, m } of generated) {
      const e = all.find((x) => x.name === example)!;
      const r = which === 'plan' ? check(e.lab, m.data) : check(m.data, e.plan);
      if (!r.problems.some((p) => p.startsWith(`${which}.yaml: ${m.path}`)))
        missed.push(`${example}: ${m.kind} ${m.what}: ${r.problems.join(' | ') || 'no problem'}`);
    }
    expect(missed).toEqual([]);
  });

  it('the grid examples (lab-migrate --plan) are valid, and each mutation of them is named by its field', () => {
    const grids = gridExamples();
    expect(grids.map((g) => g.name)).toContain('docs/live-migration.md grid #1');
    const missed: string[] = [];
    for (const g of grids) {
      expect(gridProblems(g.grid), g.name).toEqual([]);
      const ms = mutations(fixedSchema('grid'), g.grid);
      expect(ms.length).toBeGreaterThan(20);
      for (const m of ms)
        if (!gridProblems(m.data).some((p) => p.startsWith(`grid.yaml: ${m.path}`)))
          missed.push(`${g.name}: ${m.kind} ${m.what}: ${gridProblems(m.data).join(' | ') || 'no problem'}`);
    }
    expect(missed).toEqual([]);
  });

  it('through the CLI: exit 2, the field named, no stack trace, no host contacted (validate, list, run)', async () => {
    const dir = tempDir('hwqual-mutations-');
    const contacted: string[] = [];
    const server = createServer((s) => {
      contacted.push(String(s.remoteAddress));
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const lab = join(dir, 'lab.yaml');
      writeFileSync(
        lab,
        stringify({ hosts: ['node-a', 'node-b'].map((name) => ({ name, address: '127.0.0.1', port })) }),
      );
      const picks = [
        generated.find((g) => g.file === 'plan' && g.m.kind === 'misspelled key' && g.m.path.includes('/migration/')),
        generated.find((g) => g.file === 'plan' && g.m.kind === 'unknown name' && g.m.path.includes('/pairs/')),
        generated.find((g) => g.file === 'plan' && g.m.kind === 'out of range' && g.m.path.includes('ping-pong')),
        generated.find((g) => g.file === 'plan' && g.m.kind === 'unknown name' && g.m.path.startsWith('/images/')),
      ];
      const commands = ['validate', 'list', 'run', 'validate'];
      for (const [i, g] of picks.entries()) {
        expect(g, `pick ${i}`).toBeDefined();
        const plan = join(dir, `plan-${i}.yaml`);
        const data = structuredClone(g!.m.data) as { [k: string]: Json };
        delete data.hosts; // the CLI lab's two hosts
        writeFileSync(plan, stringify(data));
        const extra = commands[i] === 'run' ? ['--out', join(dir, `out-${i}`)] : [];
        const r = await runCli([commands[i]!, '--lab', lab, '--plan', plan, ...extra]);
        expect(r.code, `${commands[i]} ${g!.m.what}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain(`plan-${i}.yaml: ${g!.m.path}`);
        expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      }
      expect(contacted).toEqual([]);
    } finally {
      server.close();
    }
  }, 60_000);
});
