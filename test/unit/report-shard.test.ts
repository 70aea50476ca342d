import { describe, expect, it } from 'vitest';
import { parseShard, selectShard, shardGroupKey } from '../../src/runner/shard.ts';

const groups = ['host-os', 'inventory', 'cpu-features', 'encryption', 'guest-images', 'migration'].flatMap((s) =>
  ['node-1', 'node-2', 'node-3', 'gen11-a'].map((h) => shardGroupKey(s, h)),
);

describe('selectShard', () => {
  it('splits the groups into disjoint shards that together cover all, sizes within one', () => {
    for (const total of [1, 2, 3, 4, 7, 30]) {
      const shards = Array.from({ length: total }, (_, i) => selectShard(groups, i + 1, total));
      expect(shards.flat().sort()).toEqual([...groups].sort());
      const sizes = shards.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it('is stable: the same groups in another order give the same shards, and keep input order', () => {
    const reversed = [...groups].reverse();
    for (let i = 1; i <= 4; i++) {
      expect(selectShard(reversed, i, 4).sort()).toEqual(selectShard(groups, i, 4).sort());
      const picked = selectShard(groups, i, 4);
      expect(picked).toEqual(groups.filter((g) => picked.includes(g)));
    }
  });

  it('is pinned: a known split does not change between versions or machines', () => {
    expect(selectShard(['a@h1', 'b@h1', 'a@h2', 'b@h2'], 1, 2)).toEqual(
      selectShard(['b@h2', 'a@h2', 'b@h1', 'a@h1'], 1, 2).reverse(),
    );
    // sha256 order of these keys: host-os@node-1 (88c5…), migration@node-1 (89e3…), host-os@node-2 (c151…), dealt 1, 2,
    // 1.
    expect(selectShard(['host-os@node-1', 'host-os@node-2', 'migration@node-1'], 2, 2)).toEqual(['migration@node-1']);
  });

  it('works on objects through keyOf, and refuses duplicate keys', () => {
    const objs = groups.map((key) => ({ key, cases: 3 }));
    expect(selectShard(objs, 2, 3, (g) => g.key).map((g) => g.key)).toEqual(selectShard(groups, 2, 3));
    expect(() => selectShard(['a@h', 'a@h'], 1, 2)).toThrow(/listed twice/);
  });

  it('parses i/n and refuses nonsense', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, total: 4 });
    for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0', '-1/2'])
      expect(() => parseShard(bad)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => selectShard(groups, 3, 2)).toThrow(/1 ≤ index ≤ total/);
  });
});
