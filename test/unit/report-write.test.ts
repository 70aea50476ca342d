import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/report/atomic.ts';
import { runFolderReader } from '../../src/report/reporter.ts';
import { writeReports } from '../../src/report/write.ts';
import { applySignoff } from '../../src/report/signoff.ts';
import { parseResults } from '../../src/report/results-schema.ts';
import { everyStatus } from './report-fixtures.ts';
import { validateXsd, xpath } from './report-xml-helpers.ts';
import { tempDir } from '../support/temp-dir.ts';

const tmp = () => tempDir('hwqual-write-');

describe('writeFileAtomic', () => {
  it('replaces the whole file and leaves no temp file behind', async () => {
    const dir = tmp();
    const file = path.join(dir, 'a.json');
    writeFileSync(file, 'old');
    await writeFileAtomic(file, 'new content');
    expect(readFileSync(file, 'utf8')).toBe('new content');
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('creates the folder, and on failure keeps the old file and removes the temp file', async () => {
    const dir = tmp();
    await writeFileAtomic(path.join(dir, 'sub', 'b.txt'), 'x');
    expect(readFileSync(path.join(dir, 'sub', 'b.txt'), 'utf8')).toBe('x');
    // The target is a non-empty directory: rename fails after the temp file was written.
    mkdirSync(path.join(dir, 'c'));
    writeFileSync(path.join(dir, 'c', 'keep'), 'k');
    await expect(writeFileAtomic(path.join(dir, 'c'), 'y')).rejects.toThrow();
    expect(readdirSync(dir).sort()).toEqual(['c', 'sub']);
  });
});

describe('writeReports', () => {
  it('writes results.json and junit.xml that agree, with the transcript from the run folder', async () => {
    const dir = tmp();
    mkdirSync(path.join(dir, 'transcripts'));
    writeFileSync(path.join(dir, 'transcripts', 'k.txt'), '$ cat /proc/cmdline\nquiet\n');
    const r = everyStatus();
    const out = await writeReports(dir, r);
    expect(out.failures).toEqual([]);
    expect(out.files.map((f) => path.basename(f))).toEqual(['results.json', 'junit.xml', 'report.html', 'report.md']);
    expect(parseResults('results.json', readFileSync(path.join(dir, 'results.json'), 'utf8'))).toEqual(applySignoff(r));
    const junit = path.join(dir, 'junit.xml');
    expect(validateXsd(junit).ok).toBe(true);
    expect(xpath(junit, 'string(//testcase[failure]/system-out)')).toContain('quiet');
  });

  it("one reporter's failure does not stop the others", async () => {
    const dir = tmp();
    const seen: string[] = [];
    const out = await writeReports(dir, everyStatus(), {
      reporters: [
        {
          name: 'boom',
          render: () => {
            throw new Error('template broke');
          },
        },
        'junit',
        {
          name: 'late',
          onWritten: (files) => {
            seen.push(...files.map((f) => path.basename(f)));
            throw new Error('hook broke');
          },
        },
      ],
    });
    expect(out.failures).toEqual([
      { reporter: 'boom', error: 'template broke' },
      { reporter: 'late', error: 'hook broke' },
    ]);
    expect(seen).toEqual(['junit.xml']);
    expect(readdirSync(dir)).toEqual(['junit.xml']);
  });

  it('rejects an unknown reporter name', async () => {
    await expect(writeReports(tmp(), everyStatus(), { reporters: ['pdf'] })).rejects.toThrow(/unknown reporter "pdf"/);
  });
});

describe('runFolderReader', () => {
  it('reads files inside the run folder only', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 't.txt'), 'inside');
    const read = runFolderReader(dir);
    expect(read('t.txt')).toBe('inside');
    expect(read('missing.txt')).toBeUndefined();
    expect(read('../../etc/passwd')).toBeUndefined();
    expect(read('/etc/passwd')).toBeUndefined();
  });
});
