// A run that did not run every planned case never reads "qualified": exit 4 (incomplete) unless something that ran
// failed (exit 1). Through the real CLI entry (main), on this machine as two `local` hosts.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/model/result.ts';
import { validateXsd } from './report-xml-helpers.ts';
import { hwqualInProcess } from '../support/main.ts';
import { tempDir } from '../support/temp-dir.ts';

const dir = tempDir('hwqual-incomplete-');
const lab = join(dir, 'lab.yaml');
const results = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;

const hwqual = hwqualInProcess;

function plan(name: string, body: Record<string, unknown>): string {
  const p = join(dir, `${name}.json`);
  writeFileSync(p, JSON.stringify({ name, concurrency: 4, ...body }));
  return p;
}

beforeAll(() => {
  process.env.HWQUAL_SUITES_PATH = join(import.meta.dirname, '../fixtures/suites');
  writeFileSync(lab, 'hosts:\n  - { name: a, address: local }\n  - { name: b, address: local }\n');
});
afterEach(() => {
  process.exitCode = undefined;
});

describe('incomplete: a partial run is never a sign-off', () => {
  it('the same plan: full run exit 1 (not-qualified), --grep to its passing case exit 4, never 0', async () => {
    const p = plan('behaviours', {
      suites: ['demo-behaviours'],
      hosts: { names: ['a'] },
      settings: { flakyMarker: join(dir, 'flaky-marker') },
    });
    const full = await hwqual('run', '--lab', lab, '--plan', p, '--out', join(dir, 'full'));
    expect(full.code).toBe(1);
    expect(results(join(dir, 'full')).signoff).toMatchObject({ verdict: 'not-qualified', coverage: { ran: 8 } });
    // The reports were written from the run's case log, which is gone afterwards.
    expect(readdirSync(join(dir, 'full')).filter((f) => f.startsWith('.'))).toEqual([]);

    const out = join(dir, 'grep');
    const grep = await hwqual('run', '--lab', lab, '--plan', p, '--out', out, '--grep', 'echo works');
    expect(grep.code).toBe(4);
    expect(grep.out).toMatch(/^incomplete \(1 passed/m);
    expect(grep.out).toContain('incomplete: 1 of 8 planned cases ran; not a sign-off');
    const r = results(out);
    expect(r.signoff).toMatchObject({ verdict: 'incomplete', exitCode: 4, coverage: { ran: 1, planned: 8 } });
    expect(r.run.plannedCases?.count).toBe(8);
    // Every file says so: the JUnit has the coverage case and the verdict property, the banners the count.
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit).toContain('<property name="hwqual.verdict" value="incomplete"/>');
    expect(junit).toMatch(/<skipped message="incomplete: 1 of 8 planned cases ran; not a sign-off"\/>/);
    expect(validateXsd(join(out, 'junit.xml'))).toMatchObject({ ok: true });
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('1 of 8 planned cases ran; not a sign-off.');
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('**incomplete**');
    // `hwqual report` rebuilds the same verdict from results.json alone.
    expect((await hwqual('report', out)).code).toBe(4);
    expect(results(out).signoff?.verdict).toBe('incomplete');
  });

  it('a failure that ran is never hidden by incompleteness: --grep keeping a failing case exits 1', async () => {
    const p = plan('behaviours-fail', { suites: ['demo-behaviours'], hosts: { names: ['a'] } });
    const r = await hwqual('run', '--lab', lab, '--plan', p, '--out', join(dir, 'grep-fail'), '--grep', 'Plan9|wrong');
    expect(r.code).toBe(1);
    const s = results(join(dir, 'grep-fail')).signoff!;
    expect(s.verdict).toBe('not-qualified');
    expect(s.reasons).toContain('incomplete: 1 of 8 planned cases ran; not a sign-off');
  });

  it('a plan with two images: the one image filtered out → 4; the whole plan → 0', async () => {
    const p = plan('images', { suites: ['coverage-cells'], images: ['tiny', 'tiny-generic'] });
    const whole = await hwqual('run', '--lab', lab, '--plan', p, '--out', join(dir, 'images-all'));
    expect(whole.code).toBe(0);
    expect(results(join(dir, 'images-all')).signoff).toMatchObject({ verdict: 'qualified', coverage: { ran: 6 } });
    const out = join(dir, 'images-one');
    const one = await hwqual('run', '--lab', lab, '--plan', p, '--out', out, '--grep-invert', 'image=tiny-generic');
    expect(one.code).toBe(4);
    expect(results(out).signoff?.reasons[0]).toBe('incomplete: 4 of 6 planned cases ran; not a sign-off');
  });

  it('--shard 1/2 alone → 4; merged with 2/2 → the full verdict (0); report of either rebuilds the same', async () => {
    const p = plan('shards', { suites: ['coverage-cells'], images: ['tiny', 'tiny-generic'] });
    const one = await hwqual('run', '--lab', lab, '--plan', p, '--out', join(dir, 's1'), '--shard', '1/2');
    const two = await hwqual('run', '--lab', lab, '--plan', p, '--out', join(dir, 's2'), '--shard', '2/2');
    expect([one.code, two.code]).toEqual([4, 4]);
    expect(results(join(dir, 's1')).signoff?.coverage).toEqual({ ran: 3, planned: 3 });
    expect(results(join(dir, 's1')).signoff?.reasons[0]).toMatch(/^incomplete: a shard \(1\/2\)/);
    const merged = await hwqual('merge', join(dir, 's1'), join(dir, 's2'), '--out', join(dir, 'merged'));
    expect(merged.code).toBe(0);
    const m = results(join(dir, 'merged'));
    expect(m.signoff).toMatchObject({ verdict: 'qualified', coverage: { ran: 6, planned: 6 } });
    expect(m.run.plannedCases).toEqual(results(join(dir, 'images-all')).run.plannedCases);
    expect((await hwqual('report', join(dir, 'merged'))).code).toBe(0);
    expect((await hwqual('report', join(dir, 's1'))).code).toBe(4);
  });
});
