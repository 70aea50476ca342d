import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CaseResult, RunRecord } from '../model/result.ts';

/**
 * What a reporter gets: the final results and a way to read the run folder's text files (transcripts). The cases
 * may be on disk (a large run's case log): read them in one pass (`for … of results.cases`), keep what you need.
 */
export interface ReportContext {
  outDir: string;
  results: RunRecord;
  /** A file of the run folder by relative path; undefined when missing or outside the folder. */
  readText(relPath: string): string | undefined;
  /** A case's transcript text (its section of the host's transcript file); undefined when there is none. */
  transcript(c: CaseResult): string | undefined;
  /** The host label the matrix groups hosts by (`--group-by`); default: the label most hosts share. */
  groupBy?: string;
}

/**
 * A file a reporter built; writeReports writes it atomically. `name` is relative to outDir. `content` is the text,
 * or its pieces in order (a generator; a piece is text or UTF-8 bytes), written as they come: a file of 300,000
 * cases is never one string.
 */
export interface ReportFile {
  name: string;
  content: string | Iterable<string | Uint8Array>;
}

/**
 * A reporter is an object of optional hooks (vitest's Reporter pattern), looked up by name in the registry
 * (reporters.ts). It reads RunResults only: reporters never import the runner.
 */
export interface Reporter {
  readonly name: string;
  /** Build this reporter's files from the final results (content may be produced lazily, as it is written). */
  render?(ctx: ReportContext): ReportFile[] | Promise<ReportFile[]>;
  /** Called once every reporter's files are written, with the absolute paths written (all reporters). */
  onWritten?(files: readonly string[], ctx: ReportContext): void | Promise<void>;
}

/** Reads text files under `outDir` only: a transcript path from results.json cannot point outside the run. */
export function runFolderReader(outDir: string): (relPath: string) => string | undefined {
  const root = path.resolve(outDir);
  return (relPath) => {
    const full = path.resolve(root, relPath);
    if (path.isAbsolute(relPath) || !full.startsWith(root + path.sep)) return undefined;
    try {
      return readFileSync(full, 'utf8');
    } catch {
      return undefined;
    }
  };
}
