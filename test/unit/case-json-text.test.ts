// caseJsonText (src/model/result.ts) gives exactly a case's text as JSON.stringify(results, null, 2) lays it out in
// results.json's `cases` array: what a run's case log stores and results.json is copied from.
import { describe, expect, it } from 'vitest';
import { type CaseResult, caseJsonText } from '../../src/model/result.ts';
import { kase } from './report-fixtures.ts';

const values: unknown[] = [
  {},
  { a: [], b: {}, c: [{}], d: [[], [1, [2, {}]]] },
  {
    s: 'quote " backslash \\ both \\" end \\\\',
    t: '{[,:]}\n  ]\n]',
    u: 'ü€😀\u0001\n\t\ud800',
    n: -1.5e-7,
    z: -0,
    f: false,
    x: null,
    '2': 'an index-like key',
  },
  kase({
    status: 'failed',
    message: 'x: `cmd` exited 1 — "quoted" {braces} [brackets], commas: colons',
    expected: 'exit 0',
    actual: 'exit 1: \\"',
    metrics: { downtimeMs: 12.5 },
    params: { image: 'tiny', cpuModel: 'Nehalem,-aes' },
    artifacts: [{ name: 'a', path: 'cases/x/a.txt', bytes: 3 }],
    charts: [{ title: 't', unit: 'MiB', points: [{ label: 'pass 1', value: 2 }] }],
  }),
];

describe('caseJsonText', () => {
  it.each(values.map((v, i) => [i, v]))('value %i: its text in JSON.stringify({ cases: [v] }, null, 2)', (_, v) => {
    const whole = JSON.stringify({ cases: [v] }, null, 2);
    expect(whole).toBe(`{\n  "cases": [\n    ${caseJsonText(v as CaseResult)}\n  ]\n}`);
    expect(JSON.parse(caseJsonText(v as CaseResult))).toEqual(JSON.parse(JSON.stringify(v)));
  });
});
