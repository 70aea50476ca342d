import path from 'node:path';
import type { RunRecord } from '../model/result.ts';
import { HwqualError, messageOf } from '../model/errors.ts';
import { writeFileAtomic } from './atomic.ts';
import { applySignoff } from './signoff.ts';
import { runFolderReader, type ReportContext, type Reporter } from './reporter.ts';
import { DEFAULT_REPORTERS, REPORTERS } from './reporters.ts';
import { transcriptReader } from './transcripts.ts';

export interface WriteReportsOptions {
  /** Reporter names from the registry, or reporter objects (default: DEFAULT_REPORTERS). */
  reporters?: ReadonlyArray<string | Reporter>;
  /** How reporters read transcripts (default: files under outDir). */
  readText?: (relPath: string) => string | undefined;
  /** The host label the matrix groups hosts by (`--group-by`). */
  groupBy?: string;
}

export interface WriteReportsResult {
  /** Absolute paths written. */
  files: string[];
  /** Reporters that threw; the others still wrote their files. */
  failures: Array<{ reporter: string; error: string }>;
}

/**
 * Build every reporter's files and write each atomically (temp file, fsync, rename); content given in pieces is
 * written as it is produced (one pass over the cases per file). One reporter's failure — in render, in writing, or
 * in onWritten — is recorded and does not stop the others.
 * Results without a sign-off get one (applySignoff with no waivers or baseline), so every file carries the same
 * verdict.
 */
export async function writeReports(
  outDir: string,
  given: RunRecord,
  options: WriteReportsOptions = {},
): Promise<WriteReportsResult> {
  const results = given.signoff ? given : applySignoff(given);
  const reporters = (options.reporters ?? DEFAULT_REPORTERS).map(resolveReporter);
  const readText = options.readText ?? runFolderReader(outDir);
  const ctx: ReportContext = {
    outDir,
    results,
    readText,
    transcript: transcriptReader(readText),
    ...(options.groupBy !== undefined && { groupBy: options.groupBy }),
  };
  const out: WriteReportsResult = { files: [], failures: [] };
  for (const reporter of reporters) {
    try {
      for (const file of (await reporter.render?.(ctx)) ?? []) {
        const target = path.resolve(outDir, file.name);
        await writeFileAtomic(target, file.content);
        out.files.push(target);
      }
    } catch (err) {
      out.failures.push({ reporter: reporter.name, error: messageOf(err) });
    }
  }
  for (const reporter of reporters) {
    try {
      await reporter.onWritten?.(out.files, ctx);
    } catch (err) {
      out.failures.push({ reporter: reporter.name, error: messageOf(err) });
    }
  }
  return out;
}

function resolveReporter(entry: string | Reporter): Reporter {
  if (typeof entry !== 'string') return entry;
  const make = REPORTERS[entry];
  if (!make)
    throw new HwqualError('E_USAGE', `unknown reporter "${entry}" (known: ${Object.keys(REPORTERS).join(', ')})`);
  return make();
}
