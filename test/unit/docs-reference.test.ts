// The plan/lab/waivers reference is generated from the JSON Schemas hwqual validates against (npm run
// docs:reference): the committed pages must be exactly what the generator writes now, every schema property must
// carry a description, and the manual must link the pages.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_DIR, referencePage, referencePages } from '../../scripts/docs-reference.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

describe('docs/reference: generated from the config schemas', () => {
  it('each committed page is what `npm run docs:reference` writes (run it after changing a schema)', async () => {
    const pages = await referencePages();
    expect(pages.map((p) => p.file)).toEqual(['plan.md', 'lab.md', 'waivers.md', 'grid.md']);
    for (const page of pages) expect(readFileSync(join(REFERENCE_DIR, page.file), 'utf8'), page.file).toBe(page.text);
  });

  it('refuses a schema property without a description, naming it', () => {
    const schema = {
      type: 'object',
      properties: {
        a: { description: 'described', type: 'object', properties: { b: { type: 'string' } } },
        c: { type: 'array', items: { type: 'object', properties: { d: { description: 'x', type: 'integer' } } } },
      },
    };
    expect(() => referencePage('plan', schema)).toThrow('no description for `a.b`, `c`');
  });

  it('renders keys, requirement, types and descriptions as a table, definitions as sections', () => {
    const page = referencePage('lab');
    expect(page).toContain('| `hosts[].address` (required) | non-empty string | Where SSH dials it');
    expect(page).toContain('| `hosts[].ssh` | [ssh](#ssh) |');
    expect(page).toMatch(/## ssh\n\nSSH tuning\.\n\n\| key \| type \| description \|/);
    expect(page).toContain('| `maxChannels` | integer 1–64 |');
  });

  it('the manual links every page', async () => {
    const configuration = readFileSync(join(PROJECT_ROOT, 'docs/configuration.md'), 'utf8');
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    for (const page of await referencePages()) expect(configuration).toContain(`reference/${page.file}`);
    expect(readme).toContain('docs/reference/');
  });
});
