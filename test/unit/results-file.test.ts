// A results.json read case by case (src/report/results-file.ts): what `hwqual report`, `merge` and `--baseline` do
// with a large file. The cases come back exactly as a whole-file parse gives them, schema problems are named by
// JSON pointer, and a rebuild from the file read this way writes the same files.
import { closeSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/model/result.ts';
import { openRunResults } from '../../src/report/results-file.ts';
import { scanCases } from '../../src/report/results-scan.ts';
import { applySignoff } from '../../src/report/signoff.ts';
import { writeReports } from '../../src/report/write.ts';
import { host, kase, results } from './report-fixtures.ts';
import { tempDir } from '../support/temp-dir.ts';

const tmp = () => tempDir('hwqual-resfile-');

/** Results whose strings hold what a byte scanner could trip on: quotes, backslashes, brackets, "cases", non-ASCII. */
function tricky(): RunResults {
  const nasty = ['"cases": [1, {"a": "]"}]', 'back\\\\slash\\', '\\"', '{[}]', 'ü€😀', '\\u005b'];
  const cases = nasty.flatMap((text, i) => [
    kase({ status: 'failed', caseId: `f${i}`, message: text, expected: text, actual: `${text}\\` }),
    kase({ status: 'passed', caseId: `p${i}`, host: 'node-2', params: { cases: text } }),
  ]);
  return results(cases, [host('node-1', { labels: { cases: '[]', '"x': '{' } }), host('node-2')]);
}

async function written(r: RunResults): Promise<string> {
  const dir = tmp();
  expect((await writeReports(dir, applySignoff(r), { reporters: ['json'] })).failures).toEqual([]);
  return path.join(dir, 'results.json');
}

describe('openRunResults, case by case', () => {
  it('gives the same results as parsing the whole file', async () => {
    const file = await written(tricky());
    const whole = JSON.parse(readFileSync(file, 'utf8'));
    const opened = openRunResults(file, 0);
    expect(Array.isArray(opened.results.cases)).toBe(false);
    expect({ ...opened.results, cases: [...opened.results.cases] }).toEqual(whole);
    expect(opened.results.cases.length).toBe(whole.cases.length);
    opened.close();
    // A small file is still read whole, its cases in an array.
    const small = openRunResults(path.dirname(file));
    expect(small.results).toEqual(whole);
  });

  it('finds the same case ranges whatever the read chunk size (strings and escapes across chunk ends)', async () => {
    const file = await written(tricky());
    const fd = openSync(file, 'r');
    const size = statSync(file).size;
    const layout = scanCases(fd, size)!;
    for (const chunk of [1, 2, 3, 7, 64, 1000]) expect(scanCases(fd, size, chunk), `chunk ${chunk}`).toEqual(layout);
    closeSync(fd);
    const text = readFileSync(file, 'utf8');
    const byteText = Buffer.from(text);
    expect(byteText.subarray(layout.open, layout.open + 1).toString()).toBe('[');
    const first = byteText.subarray(layout.offsets[0], layout.offsets[0]! + layout.lengths[0]!).toString();
    expect(JSON.parse(first)).toEqual(JSON.parse(text).cases[0]);
  });

  it('names a bad case by its JSON pointer, and refuses what is not results.json (E_CONFIG)', async () => {
    const file = await written(tricky());
    const data = JSON.parse(readFileSync(file, 'utf8'));
    data.cases[3].status = 'exploded';
    writeFileSync(file, JSON.stringify(data, null, 2));
    expect(() => openRunResults(file, 0)).toThrow(/\/cases\/3\/status must be equal to one of the allowed values/);
    data.cases[3] = 42;
    writeFileSync(file, JSON.stringify(data));
    expect(() => openRunResults(file, 0)).toThrow(/an element of "cases" is not an object/);
    writeFileSync(file, '{"schemaVersion": 1, "cases": [{"id": "x"}');
    expect(() => openRunResults(file, 0)).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
    expect(() => openRunResults(path.join(tmp(), 'absent.json'), 0)).toThrow(/cannot read \(ENOENT\)/);
  });

  it('a report rebuilt from the file read case by case is the same as the one it was read from', async () => {
    const file = await written(tricky());
    const dir = path.dirname(file);
    const before = readFileSync(file, 'utf8');
    const opened = openRunResults(file, 0);
    // Rewriting results.json while it is read: the open file is what is read, not the new one.
    expect((await writeReports(dir, applySignoff(opened.results))).failures).toEqual([]);
    opened.close();
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});
