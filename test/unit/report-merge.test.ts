import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/model/result.ts';
import { mergeShards, type ShardInput } from '../../src/report/merge.ts';
import { resultsProblems } from '../../src/report/results-schema.ts';
import { applySignoff } from '../../src/report/signoff.ts';
import { host, kase, results } from './report-fixtures.ts';

function shard(index: number, total: number, over: (r: RunResults) => void = () => {}): ShardInput<RunResults> {
  const r = results(
    [
      kase({
        status: 'passed',
        caseId: `c${index}`,
        host: `node-${index}`,
        transcript: 'transcripts/a.txt',
        artifacts: [{ name: 'dmesg', path: 'artifacts/dmesg.txt', bytes: 3 }],
      }),
      kase({ status: index === 2 ? 'failed' : 'passed', caseId: `d${index}`, host: `node-${index}` }),
    ],
    [host(`node-${index}`)],
  );
  r.run.shard = { index, total };
  r.run.planned = [{ suite: 'host-os', host: `node-${index}` }];
  r.run.startedAt = `2026-03-01T10:0${index}:00.000Z`;
  r.run.endedAt = `2026-03-01T10:1${index}:00.000Z`;
  over(r);
  return { dir: `reports/shard-${index}`, prefix: `shard-${index}`, results: r };
}

describe('mergeShards', () => {
  it('merges cases, hosts and planned cells; prefixes artifact and transcript paths; spans the time range', () => {
    const m = mergeShards([shard(3, 3), shard(1, 3), shard(2, 3)]);
    expect(m.cases.map((c) => c.caseId)).toEqual(['c1', 'd1', 'c2', 'd2', 'c3', 'd3']);
    expect(m.hosts.map((h) => h.name)).toEqual(['node-1', 'node-2', 'node-3']);
    expect(m.run.planned).toHaveLength(3);
    expect(m.run.shard).toBeUndefined();
    expect(m.run.startedAt).toBe('2026-03-01T10:01:00.000Z');
    expect(m.run.endedAt).toBe('2026-03-01T10:13:00.000Z');
    expect(m.cases[2]!.transcript).toBe('shard-2/transcripts/a.txt');
    expect(m.cases[2]!.artifacts[0]!.path).toBe('shard-2/artifacts/dmesg.txt');
    expect(m.summary).toMatchObject({ total: 6, passed: 5, failed: 1 });
    expect(m.run.mergedFrom?.map((x) => x.shard?.index)).toEqual([1, 2, 3]);
    expect(resultsProblems('merged', JSON.parse(JSON.stringify(applySignoff(m))))).toEqual([]);
    expect(applySignoff(m).signoff?.verdict).toBe('not-qualified');
  });

  const refusals: Array<[string, ShardInput<RunResults>[], RegExp]> = [
    [
      'different plans',
      [shard(1, 2), shard(2, 2, (r) => (r.run.planSha256 = 'f'.repeat(64)))],
      /differ in plan \(planSha256\)/,
    ],
    [
      'different lab files',
      [shard(1, 2), shard(2, 2, (r) => (r.run.labSha256 = 'f'.repeat(64)))],
      /differ in lab file/,
    ],
    [
      'different harness versions',
      [shard(1, 2), shard(2, 2, (r) => (r.run.harnessVersion = '0.2.0'))],
      /differ in harness version: 0.2.0 vs 0.1.0/,
    ],
    [
      'different waivers files',
      [shard(1, 2, (r) => (r.run.waiversSha256 = 'e'.repeat(64))), shard(2, 2)],
      /differ in waivers file/,
    ],
    ['different shard counts', [shard(1, 2), shard(2, 3)], /differ in shard count/],
    ['a missing shard', [shard(1, 3), shard(3, 3)], /missing shard 2\/3/],
    [
      'a shard given twice',
      [shard(1, 2), shard(2, 2), { ...shard(2, 2), dir: 'copy-of-2' }],
      /shard 2\/2 given twice \(reports\/shard-2 and copy-of-2\)/,
    ],
    ['a folder that is not a shard', [shard(1, 2), shard(2, 2, (r) => delete r.run.shard)], /not a shard run/],
    [
      'overlapping shards',
      [shard(1, 2), shard(2, 2, (r) => (r.cases[0] = { ...r.cases[0]!, id: 'host-os/c1@node-1' }))],
      /overlap/,
    ],
    ['nothing', [], /no shard folders/],
  ];
  it.each(refusals)('refuses %s', (_, shards, message) => {
    expect(() => mergeShards(shards)).toThrow(message);
    expect(() => mergeShards(shards)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});
