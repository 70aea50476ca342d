import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { HwqualError } from '../model/errors.ts';
import { JsonRecords } from '../model/json-records.ts';
import type { CaseResult, Cases, RunRecord } from '../model/result.ts';
import { caseProblems, parseResults, resultsProblems } from './results-schema.ts';
import { scanCases } from './results-scan.ts';

/** Files up to this size are read and parsed whole (cases in an array); larger ones case by case. */
export const WHOLE_FILE_BYTES = 32 << 20;

export interface OpenedResults {
  file: string;
  results: RunRecord;
  /** Let go of the file (a large one stays open while its cases are read). */
  close(): void;
}

/**
 * A run folder's results.json (or a results.json path), validated against the schema, for `hwqual report`, `merge`
 * and `--baseline`. A large file (a run of 10,000 hosts: 250 MB) is not parsed whole: one pass finds where each
 * case is (results-scan.ts) and checks each against the schema; the cases are then read from the file again, one at
 * a time, on each pass. The file descriptor stays open until `close()`, so rewriting results.json in place (hwqual
 * report) does not change what is read. Problems are E_CONFIG naming the file and the JSON path.
 */
export function openRunResults(dirOrFile: string, wholeFileBytes = WHOLE_FILE_BYTES): OpenedResults {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, 'results.json');
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new HwqualError(
      'E_CONFIG',
      `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? messageOf(err)})`,
    );
  }
  try {
    const size = fstatSync(fd).size;
    const layout = size > wholeFileBytes ? scanOrFail(file, fd, size) : undefined;
    if (!layout) {
      const results = parseResults(file, readRange(fd, 0, size));
      closeSync(fd);
      return { file, results, close: () => {} };
    }
    // Everything but the cases, parsed as one object with an empty `cases` array; then each case on its own.
    const head = `${readRange(fd, 0, layout.open + 1)}${readRange(fd, layout.close, size - layout.close)}`;
    let data: unknown;
    try {
      data = JSON.parse(head);
    } catch (err) {
      throw new HwqualError('E_CONFIG', `${file}: not JSON (${messageOf(err)})`);
    }
    const problems = resultsProblems(file, data);
    const records = new JsonRecords(fd, layout.offsets, layout.lengths);
    let i = 0;
    for (const c of records.pass<unknown>()) {
      if (problems.length < 50) problems.push(...caseProblems(file, c, i));
      i++;
    }
    if (problems.length) throw new HwqualError('E_CONFIG', problems.join('\n'));
    const cases: Cases = {
      length: records.count,
      *[Symbol.iterator]() {
        for (const c of records.pass<CaseResult>()) yield c!;
      },
    };
    return { file, results: { ...(data as RunRecord), cases }, close: () => records.close() };
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      /* closed already */
    }
    if (err instanceof SyntaxError) throw new HwqualError('E_CONFIG', `${file}: not JSON (${err.message})`);
    throw err;
  }
}

function scanOrFail(file: string, fd: number, size: number) {
  try {
    return scanCases(fd, size);
  } catch (err) {
    throw new HwqualError('E_CONFIG', `${file}: ${messageOf(err)}`);
  }
}

function readRange(fd: number, position: number, length: number): string {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buf.toString('utf8', 0, done);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
