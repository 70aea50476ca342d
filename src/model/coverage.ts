import { hash } from 'node:crypto';

/**
 * What a run set out to do: every case the plan expands to (before `--grep`, `--tag`; for a shard, its own suite ×
 * host groups), as a count and a set hash of the case ids. The verdict compares the cases a results.json holds with
 * it, so `hwqual report` rebuilds the same verdict from the file alone, and `hwqual merge` adds the shards' up.
 */
export interface PlannedCases {
  count: number;
  /**
   * XOR of the sha256 of each case id (hex, 64 digits): independent of order, and the hash of a union of disjoint
   * sets (the shards of a plan) is the XOR of their hashes.
   */
  idsHash: string;
}

const ZERO = '0'.repeat(64);

/** The set hash of these case ids (ids are unique in a run). */
export function caseIdsHash(ids: Iterable<string>): string {
  const acc = new IdsHash();
  for (const id of ids) acc.add(id);
  return acc.hex();
}

/** caseIdsHash, one id at a time (for a pass that reads cases one by one). */
export class IdsHash {
  private readonly acc = Buffer.alloc(32);
  add(id: string): void {
    // The one-shot crypto.hash: a third cheaper than createHash().update().digest(), 300,000 times a large run.
    const h = hash('sha256', id, 'buffer');
    for (let i = 0; i < 32; i++) this.acc[i]! ^= h[i]!;
  }
  hex(): string {
    return this.acc.toString('hex');
  }
}

export function plannedCasesOf(ids: readonly string[]): PlannedCases {
  return { count: ids.length, idsHash: caseIdsHash(ids) };
}

/** The planned cases of disjoint parts (shards) taken together. */
export function combinePlannedCases(parts: readonly PlannedCases[]): PlannedCases {
  const acc = Buffer.from(ZERO, 'hex');
  for (const p of parts) {
    const h = Buffer.from(p.idsHash, 'hex');
    for (let i = 0; i < 32; i++) acc[i]! ^= h[i]!;
  }
  return { count: parts.reduce((n, p) => n + p.count, 0), idsHash: acc.toString('hex') };
}
