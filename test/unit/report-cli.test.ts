import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/model/result.ts';
import { kase, results } from './report-fixtures.ts';
import { validateXsd, xpath } from './report-xml-helpers.ts';
import { hwqualInProcess } from '../support/main.ts';
import { tempDir } from '../support/temp-dir.ts';

/** `hwqual report` and `hwqual merge` through the real CLI entry (main), on folders written like the runner's. */
const tmp = () => tempDir('hwqual-cli-report-');
const readJson = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as RunResults;

const hwqual = hwqualInProcess;

afterEach(() => {
  process.exitCode = undefined;
});

function runFolder(
  cases = [
    kase({ status: 'passed', caseId: 'a' }),
    kase({ status: 'failed', caseId: 'vulnerability-mds', severity: 'major', transcript: 'transcripts/v.txt' }),
  ],
): string {
  const dir = tmp();
  mkdirSync(path.join(dir, 'transcripts'));
  writeFileSync(
    path.join(dir, 'transcripts', 'v.txt'),
    '$ cat /sys/devices/system/cpu/vulnerabilities/mds\nVulnerable\n',
  );
  writeFileSync(path.join(dir, 'results.json'), JSON.stringify(results(cases)));
  return dir;
}

const WAIVERS =
  '- match: { suite: host-os, case: "vulnerability-*", host: "node-*" }\n  reason: "microcode fix in firmware 2.3"\n ' +
  ' ticket: HW-1234\n  expires: 2027-01-31\n';

describe('hwqual report', () => {
  it('rebuilds all four files; they agree on the verdict; exit code follows it', async () => {
    const dir = runFolder();
    const w = path.join(dir, 'waivers.yaml');
    writeFileSync(w, WAIVERS);
    const first = await hwqual('report', dir);
    expect(first.code).toBe(1);
    expect(first.out).toMatch(/^not-qualified/);
    const waived = await hwqual('report', dir, '--waivers', w);
    expect(waived.code).toBe(3);
    const r = readJson(path.join(dir, 'results.json'));
    expect(r.signoff?.verdict).toBe('conditional');
    expect(r.run.waiversSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(validateXsd(path.join(dir, 'junit.xml')).ok).toBe(true);
    expect(xpath(path.join(dir, 'junit.xml'), 'string(//skipped/@message)')).toBe(
      'waived: HW-1234 microcode fix in firmware 2.3 (until 2027-01-31)',
    );
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('data-verdict="conditional"');
    expect(readFileSync(path.join(dir, 'report.md'), 'utf8')).toMatch(/^# hwqual .*\*\*conditional\*\*/);
  });

  it('a rebuild without flags changes nothing; --now past the expiry flips it', async () => {
    const dir = runFolder();
    writeFileSync(path.join(dir, 'w.yaml'), WAIVERS);
    await hwqual('report', dir, '--waivers', path.join(dir, 'w.yaml'));
    const before = readFileSync(path.join(dir, 'results.json'), 'utf8');
    expect((await hwqual('report', dir)).code).toBe(3);
    expect(readFileSync(path.join(dir, 'results.json'), 'utf8')).toBe(before);
    expect((await hwqual('report', dir, '--now', '2027-02-01')).code).toBe(1);
    expect(readJson(path.join(dir, 'results.json')).waivers?.[0]?.state).toBe('expired');
  });

  it('diffs against a baseline run folder', async () => {
    const base = runFolder([
      kase({ status: 'passed', caseId: 'vulnerability-mds' }),
      kase({ status: 'failed', caseId: 'a' }),
    ]);
    await hwqual('report', base);
    const dir = runFolder();
    expect((await hwqual('report', dir, '--baseline', base)).code).toBe(1);
    const b = readJson(path.join(dir, 'results.json')).baseline!;
    expect([b.newFailures, b.fixed, b.baselineVerdict]).toEqual([
      ['host-os/vulnerability-mds@node-1'],
      ['host-os/a@node-1'],
      'not-qualified',
    ]);
  });

  it('bad input is exit 2 with the file and field named', async () => {
    const dir = runFolder();
    writeFileSync(path.join(dir, 'bad.yaml'), '- match: { case: x }\n  reason: r\n  expires: 2027-02-30\n');
    const bad = await hwqual('report', dir, '--waivers', path.join(dir, 'bad.yaml'));
    expect(bad).toMatchObject({
      code: 2,
      err: expect.stringContaining('bad.yaml: /0/expires must match format "date"'),
    });
    expect((await hwqual('report', dir, '--now', 'tomorrow')).code).toBe(2);
    expect((await hwqual('report', tmp())).err).toMatch(/results.json: cannot read \(ENOENT\)/);
    writeFileSync(path.join(dir, 'results.json'), '{"schemaVersion":1}');
    expect((await hwqual('report', dir)).err).toContain("results.json: / must have required property 'run'");
  });
});

describe('hwqual merge', () => {
  function shardFolder(root: string, index: number, total: number): string {
    const dir = path.join(root, `shard-${index}`);
    cpSync(
      runFolder([
        kase({ status: 'passed', caseId: `c${index}`, host: `node-${index}`, transcript: 'transcripts/v.txt' }),
      ]),
      dir,
      { recursive: true },
    );
    const r = readJson(path.join(dir, 'results.json'));
    r.run.shard = { index, total };
    writeFileSync(path.join(dir, 'results.json'), JSON.stringify(r));
    return dir;
  }

  it('merges shards into one folder with working transcript paths; refuses a repeated or missing shard', async () => {
    const root = tmp();
    const dirs = [1, 2, 3].map((i) => shardFolder(root, i, 3));
    const out = path.join(root, 'all');
    const merged = await hwqual('merge', ...dirs, '--out', out);
    expect(merged.code).toBe(0);
    const r = readJson(path.join(out, 'results.json'));
    expect(r.cases.map((c) => c.transcript)).toEqual([
      'shard-1/transcripts/v.txt',
      'shard-2/transcripts/v.txt',
      'shard-3/transcripts/v.txt',
    ]);
    expect(readFileSync(path.join(out, 'shard-2/transcripts/v.txt'), 'utf8')).toContain('Vulnerable');
    expect(r.signoff?.verdict).toBe('qualified');
    expect(xpath(path.join(out, 'junit.xml'), 'count(//testcase)')).toBe('3');

    const twice = await hwqual('merge', dirs[0]!, dirs[1]!, dirs[1]!, '--out', path.join(root, 'x'));
    expect(twice).toMatchObject({ code: 2, err: expect.stringMatching(/given twice/) });
    const missing = await hwqual('merge', dirs[0]!, dirs[2]!, '--out', path.join(root, 'y'));
    expect(missing).toMatchObject({ code: 2, err: expect.stringContaining('missing shard 2/3') });
  });
});
