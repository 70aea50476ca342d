import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from './errors.ts';

export interface RawConfigFile {
  path: string;
  label: string;
  sha256: string;
  data: unknown;
}

/** Read a YAML or JSON file (by extension; YAML is a superset, so anything else is read as YAML). */
export function readConfigFile(path: string): RawConfigFile {
  const label = basename(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([
      `${label}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    ]);
  }
  const sha256 = createHash('sha256').update(text).digest('hex');
  if (extname(path) === '.json') {
    try {
      return { path, label, sha256, data: JSON.parse(text) };
    } catch (err) {
      throw new ConfigError([`${label}: invalid JSON: ${(err as Error).message}`]);
    }
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(doc.errors.map((e) => `${label}: invalid YAML: ${e.message.split('\n')[0]}`));
  }
  return { path, label, sha256, data: doc.toJS() ?? {} };
}
