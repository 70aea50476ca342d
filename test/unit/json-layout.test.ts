// prettyJson (src/model/json-layout.ts) gives exactly JSON.stringify(value, null, 2) from the compact text: what
// results.json is written with from a run's case log.
import { describe, expect, it } from 'vitest';
import { prettyJson } from '../../src/model/json-layout.ts';
import { host, kase } from './report-fixtures.ts';

const values: unknown[] = [
  {},
  [],
  { a: [], b: {}, c: [{}], d: [[], [1, [2, {}]]] },
  {
    s: 'quote " backslash \\ both \\" end \\\\',
    t: '{[,:]}',
    u: 'ü€😀\u0001\n\t',
    n: -1.5e-7,
    z: 0,
    f: false,
    x: null,
  },
  ['a"b', '\\', '\\\\"', ''],
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
  host('node-1'),
];

describe('prettyJson', () => {
  it.each(values.map((v, i) => [i, v]))('value %i: the same text as JSON.stringify(v, null, 2)', (_, v) => {
    expect(prettyJson(JSON.stringify(v))).toBe(JSON.stringify(v, null, 2));
    expect(prettyJson(JSON.stringify(v), '    ')).toBe(JSON.stringify(v, null, 2).replace(/\n/g, '\n    '));
  });

  it('scalars pass through', () => {
    for (const v of [1, 'x', true, null]) expect(prettyJson(JSON.stringify(v))).toBe(JSON.stringify(v, null, 2));
  });
});
