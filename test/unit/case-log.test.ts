// The append-only case log (src/model/case-log.ts) and the reports written from it: cases stream to disk as they
// finish, and results.json / junit.xml written from the log are byte for byte those written from the same cases in
// memory.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaseLog } from '../../src/model/case-log.ts';
import { type Cases, caseJsonText, type CaseResult, type RunRecord } from '../../src/model/result.ts';
import { SignoffFeed } from '../../src/report/signoff-feed.ts';
import { applySignoff, SignoffPass, type SignoffOptions } from '../../src/report/signoff.ts';
import { writeReports } from '../../src/report/write.ts';
import { host, kase, results } from './report-fixtures.ts';
import { tempDir } from '../support/temp-dir.ts';

const tmp = () => tempDir('hwqual-caselog-');

/** Cases on 3 hosts × 2 suites, every status, with hostile text (quotes, backslashes, brackets, non-ASCII). */
function manyCases(): CaseResult[] {
  const statuses = ['passed', 'failed', 'error', 'skipped', 'flaky', 'passed', 'waived'] as const;
  const out: CaseResult[] = [];
  for (const suite of ['host-os', 'cpu-features'])
    for (const h of ['node-1', 'node-2', 'node-3'])
      for (let i = 0; i < 12; i++) {
        const status = statuses[(i + h.length) % statuses.length]!;
        out.push(
          kase({
            status,
            suite,
            host: h,
            caseId: `c${i}`,
            message: status === 'passed' ? undefined : `"cases": [ {\\"x\\"} ] — ü ${'é'.repeat(i)}`,
            ...(status === 'waived' && {
              waiver: { reason: 'HW-1 fix', expires: '2027-01-31', status: 'failed' as const },
            }),
            metrics: i === 3 ? { downtimeMs: i * 10 } : {},
          }),
        );
      }
  return out;
}

function logOf(file: string, cases: readonly CaseResult[], order: number[]): CaseLog {
  const log = CaseLog.create(file, cases.length);
  for (const i of order) log.put(i, cases[i]!);
  return log;
}

/** A fixed shuffle: cases finish out of plan order. */
const shuffled = (n: number) =>
  Array.from({ length: n }, (_, i) => i).sort((a, b) => ((a * 7919) % n) - ((b * 7919) % n));

describe('CaseLog', () => {
  it('gives back the cases in plan order, whatever order they finished in, and their results.json text', () => {
    const dir = tmp();
    const cases = manyCases();
    const log = logOf(path.join(dir, 'sub', 'log'), cases, shuffled(cases.length));
    const back = log.cases();
    expect(back.length).toBe(cases.length);
    expect([...back]).toEqual(cases);
    expect([...back]).toEqual(cases); // every pass reads again
    // Each text as it comes (bytes: a view into the pass's read block, valid until the next one).
    const texts: string[] = [];
    for (const t of back.texts!()) texts.push(typeof t.text === 'string' ? t.text : Buffer.from(t.text).toString());
    expect(texts).toEqual(cases.map(caseJsonText));
    expect([...back.texts!()].map((t) => t.status)).toEqual(cases.map((c) => c.status));
    log.remove();
    expect(existsSync(path.join(dir, 'sub', 'log'))).toBe(false);
  });

  it('fills a case that never finished, refuses a case twice, and reads a case larger than its read block', () => {
    const dir = tmp();
    const big = kase({ status: 'failed', caseId: 'big', message: 'x'.repeat(3 << 20) });
    const cases = [kase({ status: 'passed', caseId: 'a' }), big, kase({ status: 'passed', caseId: 'never' })];
    const log = logOf(path.join(dir, 'log'), cases, [1, 0]);
    expect(() => log.put(0, cases[0]!)).toThrow(/written twice/);
    const cancelled = { ...cases[2]!, status: 'cancelled' as const };
    expect([...log.cases((i) => (i === 2 ? cancelled : undefined))]).toEqual([cases[0], big, cancelled]);
    expect([...log.cases()].map((c) => c.caseId)).toEqual(['a', 'big']);
    expect(log.cases().length).toBe(2);
    log.remove();
  });

  it('a pass reads cases put while it runs (a forced exit writes reports while some cases still end)', () => {
    const cases = [kase({ status: 'passed', caseId: 'x' }), kase({ status: 'failed', caseId: 'y' })];
    const log = CaseLog.create(path.join(tmp(), 'log'), 2);
    log.put(0, cases[0]!);
    const pass = log.cases((i) => (i === 1 ? { ...cases[1]!, status: 'cancelled' } : undefined))[Symbol.iterator]();
    expect(pass.next().value).toEqual(cases[0]);
    log.put(1, cases[1]!); // waits in the log's buffer, not yet in the file
    expect(pass.next().value).toEqual(cases[1]);
    log.remove();
  });
});

describe('reports written from the case log', () => {
  it('results.json, junit.xml, report.html and report.md are the same as from the cases in memory', async () => {
    // In plan order (suite, host, case), as a run writes them; failures of one suite × host waived.
    const cases = manyCases();
    const inMemory = results(cases, [host('node-1'), host('node-2'), host('node-3')]);
    inMemory.waivers = [
      {
        match: { suite: 'cpu-features', host: 'node-2' },
        reason: 'microcode fix scheduled',
        ticket: 'HW-7',
        expires: '2027-01-31',
        state: 'applied',
        cases: [],
      },
    ];
    const dir = tmp();
    const log = logOf(path.join(dir, 'log'), cases, shuffled(cases.length));
    const onDisk: RunRecord = { ...inMemory, cases: log.cases() };
    const a = path.join(dir, 'memory');
    const b = path.join(dir, 'log-backed');
    expect((await writeReports(a, applySignoff(inMemory))).failures).toEqual([]);
    expect((await writeReports(b, applySignoff(onDisk))).failures).toEqual([]);
    expect(applySignoff(inMemory).summary.waived).toBeGreaterThan(2);
    for (const f of ['results.json', 'junit.xml', 'report.html', 'report.md'])
      expect(readFileSync(path.join(b, f), 'utf8'), f).toBe(readFileSync(path.join(a, f), 'utf8'));
    // And results.json is exactly what JSON.stringify gives for the same results.
    expect(readFileSync(path.join(a, 'results.json'), 'utf8')).toBe(
      `${JSON.stringify(applySignoff(inMemory), null, 2)}\n`,
    );
    log.remove();
  });

  it('results.json copies a case larger than the write buffer from the log as it is', async () => {
    const cases = [
      kase({ status: 'passed', caseId: 'a' }),
      kase({ status: 'failed', caseId: 'big', message: `ü${'x'.repeat(3 << 20)}` }),
      kase({ status: 'passed', caseId: 'c' }),
    ];
    const inMemory = results(cases);
    const dir = tmp();
    const log = logOf(path.join(dir, 'log'), cases, [2, 1, 0]);
    await writeReports(path.join(dir, 'a'), applySignoff(inMemory), { reporters: ['json'] });
    await writeReports(path.join(dir, 'b'), applySignoff({ ...inMemory, cases: log.cases() }), { reporters: ['json'] });
    const a = readFileSync(path.join(dir, 'a', 'results.json'), 'utf8');
    expect(a.length).toBeGreaterThan(3 << 20);
    expect(readFileSync(path.join(dir, 'b', 'results.json'), 'utf8') === a).toBe(true);
    log.remove();
  });

  it("the sign-off's pass fed as cases end (any order) gives the results and reports of its own pass", async () => {
    const cases = manyCases();
    const record: RunRecord = results(cases, [host('node-1'), host('node-2'), host('node-3')]);
    const options: SignoffOptions = {
      waivers: {
        file: 'waivers.yaml',
        sha256: '2'.repeat(64),
        waivers: [{ match: { suite: 'cpu-features', host: 'node-2' }, reason: 'microcode fix', expires: '2027-01-31' }],
      },
    };
    const dir = tmp();
    const order = shuffled(cases.length);
    const fedRun = (maxWaiting?: number) => {
      const feed = new SignoffFeed(new SignoffPass(record.cases, record.run, options), cases.length, maxWaiting);
      const log = CaseLog.create(path.join(tmp(), 'log'), cases.length);
      for (const i of order) {
        log.put(i, cases[i]!);
        feed.put(i, cases[i]!);
      }
      let passes = 0;
      const onDisk = log.cases();
      const counted: Cases = {
        length: onDisk.length,
        texts: () => onDisk.texts!(),
        [Symbol.iterator]: () => {
          passes++;
          return onDisk[Symbol.iterator]();
        },
      };
      return { log, feed, passes: () => passes, record: { ...record, cases: counted } };
    };
    const fed = fedRun();
    const own = fedRun(0); // gives up at the first case out of order
    expect(fed.feed.done()).toBeDefined();
    expect(own.feed.done()).toBeUndefined();
    const a = applySignoff(fed.record, options, fed.feed.done());
    const b = applySignoff(own.record, options, own.feed.done());
    expect(fed.passes()).toBe(0); // nothing read back for the sign-off
    expect(own.passes()).toBe(1);
    expect(a.summary.waived).toBeGreaterThan(2);
    expect(JSON.stringify({ ...a, cases: [...a.cases] })).toBe(JSON.stringify({ ...b, cases: [...b.cases] }));
    for (const [name, r] of [
      ['fed', a],
      ['own', b],
    ] as const)
      expect((await writeReports(path.join(dir, name), r)).failures).toEqual([]);
    for (const f of ['results.json', 'junit.xml', 'report.html', 'report.md'])
      expect(readFileSync(path.join(dir, 'fed', f), 'utf8'), f).toBe(readFileSync(path.join(dir, 'own', f), 'utf8'));
    // A pass fed under other options, or missing a case, is not taken.
    expect(fed.feed.done()!.covers(fed.record, {})).toBe(false);
    const short = new SignoffFeed(new SignoffPass(record.cases, record.run, options), cases.length);
    short.put(0, cases[0]!);
    expect(short.done()).toBeUndefined();
    fed.log.remove();
    own.log.remove();
  });
});
