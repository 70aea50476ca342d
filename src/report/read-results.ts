import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResults } from '../model/result.ts';
import { HwqualError } from '../model/errors.ts';
import { parseResults } from './results-schema.ts';

/** A run folder's results.json (or a results.json path), validated against the schema; E_CONFIG naming the file. */
export function readRunResults(dirOrFile: string): { file: string; results: RunResults } {
  const { file, text } = readRunResultsText(dirOrFile);
  return { file, results: parseResults(file, text) };
}

/** The text of a run folder's results.json (or a results.json path), unvalidated; E_CONFIG when unreadable. */
export function readRunResultsText(dirOrFile: string): { file: string; text: string } {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, 'results.json');
  try {
    return { file, text: readFileSync(file, 'utf8') };
  } catch (err) {
    throw new HwqualError(
      'E_CONFIG',
      `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}
