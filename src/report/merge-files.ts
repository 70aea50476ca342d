import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RunRecord } from '../model/result.ts';

/**
 * Copy the artifacts and transcripts a shard's results name into `<outDir>/<prefix>/`, keeping their relative paths,
 * so the merged report's links work and the merged folder stands alone. Returns the files that were missing.
 */
export async function copyShardFiles(
  shardDir: string,
  results: Pick<RunRecord, 'cases'>,
  outDir: string,
  prefix: string,
): Promise<string[]> {
  const rels = new Set<string>();
  for (const c of results.cases) {
    if (c.transcript) rels.add(c.transcript);
    for (const a of c.artifacts) rels.add(a.path);
  }
  const missing: string[] = [];
  const root = path.resolve(shardDir);
  for (const rel of rels) {
    const from = path.resolve(root, rel);
    if (!from.startsWith(root + path.sep)) {
      missing.push(rel);
      continue;
    }
    const to = path.join(outDir, prefix, rel);
    await fs.mkdir(path.dirname(to), { recursive: true });
    await fs.copyFile(from, to).catch(() => missing.push(rel));
  }
  return missing;
}
