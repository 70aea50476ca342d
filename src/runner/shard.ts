import { createHash } from 'node:crypto';
import { HwqualError } from '../model/errors.ts';

/**
 * `run --shard i/n`: a stable share of the work, split by suite × host groups — keys built from the plan and the lab
 * only (never from probed facts, which can differ between machines), so every machine picks the same groups.
 * Groups are ordered by the sha256 of their key and dealt round-robin: shards differ by at most one group, and a
 * group's shard does not depend on the order the groups were listed in.
 */
export interface ShardSpec {
  index: number;
  total: number;
}

export function shardGroupKey(suite: string, host: string): string {
  return `${suite}@${host}`;
}

/** "2/4" → { index: 2, total: 4 }; E_USAGE otherwise. */
export function parseShard(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new HwqualError('E_USAGE', `--shard must look like 2/4 (got "${text}")`);
  const spec = { index: Number(m[1]), total: Number(m[2]) };
  checkShard(spec.index, spec.total);
  return spec;
}

function checkShard(index: number, total: number): void {
  if (!Number.isInteger(total) || total < 1 || !Number.isInteger(index) || index < 1 || index > total) {
    throw new HwqualError('E_USAGE', `shard ${index}/${total}: need 1 ≤ index ≤ total`);
  }
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The groups of shard `index` (1-based) of `total`. `keyOf` gives a group's `suite@host` key (default: String). */
export function selectShard<T>(
  groups: readonly T[],
  index: number,
  total: number,
  keyOf: (g: T) => string = String,
): T[] {
  checkShard(index, total);
  const keyed = groups.map((g) => ({ g, key: keyOf(g), hash: hashKey(keyOf(g)) }));
  const seen = new Set<string>();
  for (const { key } of keyed) {
    if (seen.has(key)) throw new HwqualError('E_INTERNAL', `shard group "${key}" listed twice`);
    seen.add(key);
  }
  const order = [...keyed].sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : a.key < b.key ? -1 : 1));
  const chosen = new Set(order.filter((_, i) => i % total === index - 1).map((x) => x.key));
  return keyed.filter((x) => chosen.has(x.key)).map((x) => x.g);
}
