import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CLASS_SUITES, DRIFT_CLASSES, FACT_RULES, IGNORED_FACTS } from '../../src/drift/classes.ts';
import { loadProfile } from '../../src/transport/profile.ts';
import { assembleFacts, FACT_COMMANDS, type FactCommand } from '../../src/probe/host-facts.ts';
import { CMD } from '../../src/probe/commands.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

/** Every leaf field of HostFacts, as dotted paths, read by the TypeScript checker from src/model/facts.ts. */
function hostFactsFields(): string[] {
  const file = resolve(PROJECT_ROOT, 'src/model/facts.ts');
  const program = ts.createProgram([file], { strict: true, noEmit: true, allowImportingTsExtensions: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  let root: ts.Type | undefined;
  ts.forEachChild(source, (n) => {
    if (ts.isInterfaceDeclaration(n) && n.name.text === 'HostFacts') root = checker.getTypeAtLocation(n);
  });
  const out: string[] = [];
  const walk = (type: ts.Type, prefix: string, depth: number) => {
    for (const p of checker.getPropertiesOfType(type)) {
      const path = prefix ? `${prefix}.${p.name}` : p.name;
      const t = checker.getNonNullableType(checker.getTypeOfSymbol(p));
      const isObject =
        t.flags & ts.TypeFlags.Object && !checker.isArrayType(t) && checker.getPropertiesOfType(t).length > 0;
      if (isObject && depth < 4) walk(t, path, depth + 1);
      else out.push(path);
    }
  };
  walk(root!, '', 0);
  return out;
}

const covers = (rule: string, field: string) => field === rule || field.startsWith(`${rule}.`);

describe('the drift classification table', () => {
  const fields = hostFactsFields();
  const ruled = FACT_RULES.map((r) => r.path);
  const ignored = Object.keys(IGNORED_FACTS);

  it('reads the HostFacts fields (the walk itself works)', () => {
    expect(fields).toEqual(expect.arrayContaining(['hostname', 'cpu.microcode', 'dmi.biosVersion', 'kvm.usable']));
    expect(fields.length).toBeGreaterThan(40);
  });

  it('classifies every HostFacts field or lists it as ignored (a new field must be added here)', () => {
    const missing = fields.filter((f) => !ruled.some((r) => covers(r, f)) && !ignored.some((i) => covers(i, f)));
    expect(missing, `classify these in src/drift/classes.ts (FACT_RULES or IGNORED_FACTS): ${missing}`).toEqual([]);
  });

  it('names only real fields; a pending rule becomes real once its issue lands (fill in its sources then)', () => {
    const pending = FACT_RULES.filter((r) => r.pending);
    const unreal = FACT_RULES.filter(
      (r) => !r.pending && !r.path.startsWith('extra.') && !fields.some((f) => covers(r.path, f) || covers(f, r.path)),
    );
    expect(unreal.map((r) => r.path)).toEqual([]);
    const landed = pending.filter((r) => fields.some((f) => covers(r.path, f)));
    expect(
      landed.map((r) => r.path),
      'HostFacts has these now: give their rules the fact commands that produce them and drop `pending`',
    ).toEqual([]);
    for (const r of FACT_RULES.filter((x) => !x.pending)) expect(r.sources.length, r.path).toBeGreaterThan(0);
  });

  it('classifies each fact once, with a known class, from real fact commands', () => {
    expect(new Set(ruled).size).toBe(ruled.length);
    for (const r of FACT_RULES) {
      expect(DRIFT_CLASSES).toContain(r.class);
      for (const s of r.sources) expect(FACT_COMMANDS as readonly string[]).toContain(s);
    }
    expect(Object.keys(CLASS_SUITES).sort()).toEqual([...DRIFT_CLASSES].sort());
    expect(CLASS_SUITES.cosmetic).toEqual([]);
  });

  it(
    'classifies every extra the fact commands themselves write ' + "(assembleFacts on a recorded host's answers)",
    async () => {
      const profile = await loadProfile(resolve(PROJECT_ROOT, 'fixtures/hosts/this-machine-debian12'));
      const out: Partial<Record<FactCommand, string>> = {};
      for (const name of FACT_COMMANDS) {
        const e = profile.commands.find((c) => c.command === CMD[name] && c.exitCode === 0);
        if (e) out[name] = e.stdout;
      }
      // Also a kernel that has an xts(aes) driver, and output no parser takes (extra.unparsed).
      out.crypto = 'name : xts(aes)\ndriver : xts-aes-aesni\nmodule : aesni_intel\npriority : 401\nselftest : passed\n';
      out.lscpuJson = '{ not json';
      const extras = Object.keys(assembleFacts(out).extra ?? {});
      expect(extras).toEqual(expect.arrayContaining(['xtsAes', 'iommuCmdline', 'unparsed']));
      const unclassified = extras.filter((k) => !ruled.includes(`extra.${k}`) && !ignored.includes(`extra.${k}`));
      expect(unclassified).toEqual([]);
    },
  );
});

describe('docs/drift.md', () => {
  const doc = readFileSync(resolve(PROJECT_ROOT, 'docs/drift.md'), 'utf8');

  it('lists every rule with its class, and every class with its suites', () => {
    for (const r of FACT_RULES) expect(doc).toMatch(new RegExp(`^\\| \`${r.path}\`[^|\\n]*\\| ${r.class} \\|$`, 'm'));
    for (const [cls, suites] of Object.entries(CLASS_SUITES))
      expect(doc).toContain(`| ${cls} | ${suites.length ? suites.join(', ') : '—'}`);
  });
});
