// `hwqual run --shard auto` takes the shard from the CI's variables (GitLab CI_NODE_INDEX/CI_NODE_TOTAL, or
// HWQUAL_SHARD=i/n set from a Jenkins or GitHub Actions matrix), says which it used, and refuses missing or
// inconsistent ones (exit 2, nothing run). A suite whose cases span hosts (shard: 'whole') stays in one shard with
// every host it needs. Through the real CLI entry, on this machine as `local` hosts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveShardOption } from '../../src/cli/shard-option.ts';
import type { RunResults } from '../../src/model/result.ts';
import { hwqualInProcess as hwqual } from '../support/main.ts';
import { tempDir } from '../support/temp-dir.ts';

const dir = tempDir('hwqual-shard-auto-');
const lab = join(dir, 'lab.yaml');
const results = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
const CI_VARS = ['CI_NODE_INDEX', 'CI_NODE_TOTAL', 'HWQUAL_SHARD'];

beforeAll(() => {
  process.env.HWQUAL_SUITES_PATH = join(import.meta.dirname, '../fixtures/suites');
  writeFileSync(
    lab,
    'hosts:\n  - { name: a, address: local }\n  - { name: b, address: local }\n  - { name: c, address: local }\n',
  );
});
afterEach(() => {
  for (const v of CI_VARS) delete process.env[v];
});
afterAll(() => {
  delete process.env.HWQUAL_SUITES_PATH;
});

describe('--shard auto', () => {
  it('reads GitLab’s pair or HWQUAL_SHARD, and says which', () => {
    expect(resolveShardOption('auto', { CI_NODE_INDEX: '2', CI_NODE_TOTAL: '3' })).toEqual({
      shard: { index: 2, total: 3 },
      said: 'shard 2/3 from GitLab CI_NODE_INDEX=2, CI_NODE_TOTAL=3',
    });
    expect(resolveShardOption('auto', { HWQUAL_SHARD: '1/4' })).toEqual({
      shard: { index: 1, total: 4 },
      said: 'shard 1/4 from HWQUAL_SHARD=1/4',
    });
    // A GitLab job without `parallel:` has CI_NODE_TOTAL=1 and no index: the whole plan, not a shard.
    expect(resolveShardOption('auto', { CI_NODE_TOTAL: '1' })).toEqual({
      said: 'not sharded: GitLab CI_NODE_INDEX=(unset), CI_NODE_TOTAL=1',
    });
    expect(resolveShardOption('auto', { CI_NODE_INDEX: '2', CI_NODE_TOTAL: '2', HWQUAL_SHARD: '2/2' }).shard).toEqual({
      index: 2,
      total: 2,
    });
    expect(resolveShardOption('3/5', {})).toEqual({ shard: { index: 3, total: 5 } });
    expect(resolveShardOption(undefined, { HWQUAL_SHARD: '1/2' })).toEqual({});
  });

  it.each([
    [{}, /no shard in the environment/],
    [{ CI_NODE_INDEX: '2' }, /CI_NODE_INDEX=2, CI_NODE_TOTAL=\(unset\): a parallel GitLab job sets both/],
    [{ CI_NODE_TOTAL: '4' }, /CI_NODE_INDEX=\(unset\), CI_NODE_TOTAL=4: a parallel GitLab job sets both/],
    [{ CI_NODE_INDEX: '5', CI_NODE_TOTAL: '4' }, /need 1 ≤ index ≤ total/],
    [{ CI_NODE_INDEX: 'x', CI_NODE_TOTAL: '4' }, /must look like 2\/4/],
    [{ HWQUAL_SHARD: '0/2' }, /HWQUAL_SHARD=0\/2: .*need 1 ≤ index ≤ total/],
    [{ CI_NODE_INDEX: '1', CI_NODE_TOTAL: '2', HWQUAL_SHARD: '2/2' }, /disagree: set only one of them/],
  ])('refuses %o', (env, message) => {
    expect(() => resolveShardOption('auto', env)).toThrow(message);
    expect(() => resolveShardOption('auto', env)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });

  it('through the CLI: exit 2, nothing run, when the variables are missing; the shard it used on stderr', async () => {
    const p = join(dir, 'plan.json');
    writeFileSync(p, JSON.stringify({ name: 'auto', suites: ['coverage-cells'], concurrency: 4 }));
    const missing = await hwqual('run', '--lab', lab, '--plan', p, '--out', join(dir, 'none'), '--shard', 'auto');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--shard auto: no shard in the environment/);
    process.env.CI_NODE_INDEX = '2';
    process.env.CI_NODE_TOTAL = '3';
    const two = await hwqual('run', '--lab', lab, '--plan', p, '--out', join(dir, 'two'), '--shard', 'auto');
    expect(two.code).toBe(4);
    expect(two.err).toContain('hwqual: --shard auto: shard 2/3 from GitLab CI_NODE_INDEX=2, CI_NODE_TOTAL=3');
    expect(results(join(dir, 'two')).run.shard).toEqual({ index: 2, total: 3 });
  });
});

describe("a suite whose cases span hosts (shard: 'whole')", () => {
  it('is one group: one shard runs it on every host, each case reaching the others; merged it is whole', async () => {
    const p = join(dir, 'span.json');
    writeFileSync(p, JSON.stringify({ name: 'span', suites: ['pair-span', 'coverage-cells'], concurrency: 4 }));
    const outs = [1, 2, 3].map((i) => join(dir, `span-${i}`));
    const codes = [];
    for (const [i, out] of outs.entries())
      codes.push((await hwqual('run', '--lab', lab, '--plan', p, '--out', out, '--shard', `${i + 1}/3`)).code);
    expect(codes).toEqual([4, 4, 4]);
    const holders = outs.filter((o) => results(o).cases.some((c) => c.suite === 'pair-span'));
    expect(holders).toHaveLength(1);
    const span = results(holders[0]!).cases.filter((c) => c.suite === 'pair-span');
    expect(span.map((c) => [c.host, c.status])).toEqual([
      ['a', 'passed'],
      ['b', 'passed'],
      ['c', 'passed'],
    ]);
    const merged = await hwqual('merge', ...outs, '--out', join(dir, 'span-merged'));
    expect(merged.code).toBe(0);
    expect(results(join(dir, 'span-merged')).signoff?.verdict).toBe('qualified');
  });
});
