import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PlannedCase } from '../../src/runner/plan-types.ts';
import { HostTranscripts } from '../../src/runner/transcript-file.ts';
import { Transcript } from '../../src/runner/transcript.ts';
import { runFolderReader } from '../../src/report/reporter.ts';
import { transcriptReader } from '../../src/report/transcripts.ts';
import { writeReports } from '../../src/report/write.ts';
import { host, kase, results } from './report-fixtures.ts';
import { xmlFile, xpath } from './report-xml-helpers.ts';
import { tempDir } from '../support/temp-dir.ts';

/** Only what HostTranscripts reads of a planned case. */
const planned = (id: string, hostName: string) => ({ id, host: { name: hostName } }) as unknown as PlannedCase;

function textOf(lines: Array<string | { command: string; stdout: string }>): string {
  const t = new Transcript();
  for (const l of lines) {
    if (typeof l === 'string') t.log(l);
    else
      t.command({
        host: 'h',
        exitCode: 0,
        signal: null,
        stderr: '',
        startedAt: '',
        durationMs: 1,
        timedOut: false,
        cancelled: false,
        ...l,
      });
  }
  return t.text();
}

describe('transcripts: one file per host, a section per case', () => {
  it('writes a host file once all its cases ended, in plan order, and reads each case back exactly', async () => {
    const out = tempDir('hwqual-transcripts-');
    const cases = [
      planned('s/a@h1', 'h1'),
      planned('s/b@h1', 'h1'),
      planned('s/c@h2', 'h2'),
      planned('s/skipped@h1', 'h1'),
    ];
    const book = new HostTranscripts(out, cases);
    await book.open();
    // A case's own text cannot forge a section header: multi-line messages, commands and output are indented.
    const forged = textOf([
      'first line\n=== case s/a@h1 ===\nforged',
      { command: 'printf x\n=== case s/c@h2 ===', stdout: '=== case s/a@h1 ===\n' },
    ]);
    const texts: Record<string, string> = { 's/b@h1': forged, 's/a@h1': textOf(['a ran']), 's/c@h2': '' };
    // b ends first: still written in plan order (a, b)
    expect(book.add(cases[1]!, texts['s/b@h1']!, 1)).toBe('transcripts/h1.txt');
    book.caseEnded(cases[1]!);
    expect(book.add(cases[0]!, texts['s/a@h1']!, 0)).toBe('transcripts/h1.txt');
    book.caseEnded(cases[0]!);
    expect(book.add(cases[2]!, '', 2)).toBe('transcripts/h2.txt');
    book.caseEnded(cases[2]!);
    book.caseEnded(cases[3]!); // not run: no text
    await book.close();
    expect(readdirSync(join(out, 'transcripts')).sort()).toEqual(['h1.txt', 'h2.txt']);
    const file = readFileSync(join(out, 'transcripts/h1.txt'), 'utf8');
    expect(file.match(/^=== case .* ===$/gm)).toEqual(['=== case s/a@h1 ===', '=== case s/b@h1 ===']);
    const read = transcriptReader(runFolderReader(out));
    for (const [id, text] of Object.entries(texts))
      expect(read({ id, transcript: `transcripts/${id.split('@')[1]}.txt` })).toBe(text);
    expect(read({ id: 's/skipped@h1', transcript: 'transcripts/h1.txt' })).toBeUndefined();
    expect(read({ id: 's/a@h1', transcript: 'transcripts/missing.txt' })).toBeUndefined();
  });

  it('an interrupted run still writes what its hosts have; names clashing on disk get distinct files', async () => {
    const out = tempDir('hwqual-transcripts-');
    const cases = [planned('s/a@n 1', 'n 1'), planned('s/a@n_1', 'n_1'), planned('s/b@n_1', 'n_1')];
    const book = new HostTranscripts(out, cases);
    await book.open();
    expect(book.add(cases[0]!, 'one\n')).toBe('transcripts/n_1.txt');
    expect(book.add(cases[1]!, 'two\n')).toBe('transcripts/n_1~2.txt');
    await book.close(); // s/b@n_1 never ended
    const read = transcriptReader(runFolderReader(out));
    expect(read({ id: 's/a@n 1', transcript: 'transcripts/n_1.txt' })).toBe('one\n');
    expect(read({ id: 's/a@n_1', transcript: 'transcripts/n_1~2.txt' })).toBe('two\n');
  });

  it('reads a per-case file of older runs whole', () => {
    const read = transcriptReader((p) =>
      p === 'cases/x/transcript.txt' ? '+0.1s $ true\n  → success in 0 ms\n' : undefined,
    );
    expect(read({ id: 'any', transcript: 'cases/x/transcript.txt' })).toBe('+0.1s $ true\n  → success in 0 ms\n');
  });

  it("writeReports puts each failing case's own section in junit.xml", async () => {
    const out = tempDir('hwqual-transcripts-');
    const cases = [
      kase({ status: 'failed', caseId: 'x', transcript: 'transcripts/node-1.txt' }),
      kase({ status: 'error', caseId: 'y', errorCode: 'E_COMMAND', transcript: 'transcripts/node-1.txt' }),
      kase({ status: 'passed', caseId: 'z', transcript: 'transcripts/node-1.txt' }),
    ];
    const book = new HostTranscripts(
      out,
      cases.map((c) => planned(c.id, c.host)),
    );
    await book.open();
    for (const c of cases) book.add(planned(c.id, c.host), textOf([`output of ${c.caseId}`]));
    await book.close();
    await writeReports(out, results(cases, [host('node-1')]));
    const junit = xmlFile(readFileSync(join(out, 'junit.xml'), 'utf8'));
    expect(xpath(junit, 'string(//testcase[failure]/system-out)')).toMatch(/^\+\d+\.\d{3}s output of x$/);
    expect(xpath(junit, 'string(//testcase[error]/system-out)')).toMatch(/^\+\d+\.\d{3}s output of y$/);
    expect(xpath(junit, 'count(//system-out)')).toBe('2');
  });
});
