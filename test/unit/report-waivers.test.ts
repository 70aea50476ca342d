import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWaivers, validateWaivers } from '../../src/config/waivers.ts';
import type { Waiver } from '../../src/model/result.ts';
import { globMatch } from '../../src/report/glob.ts';
import { applySignoff } from '../../src/report/signoff.ts';
import { applyWaivers, isExpired } from '../../src/report/waivers.ts';
import { kase, results } from './report-fixtures.ts';
import { tempDir } from '../support/temp-dir.ts';

const W: Waiver = {
  match: { suite: 'host-os', case: 'vulnerability-*', host: 'node-*' },
  reason: 'microcode fix in firmware 2.3',
  ticket: 'HW-1234',
  expires: '2027-01-31',
};

describe('globs', () => {
  it('match whole strings with * and ?, everything else literal', () => {
    expect(globMatch('vulnerability-*', 'vulnerability-mds')).toBe(true);
    expect(globMatch('vulnerability-*', 'x-vulnerability-mds')).toBe(false);
    expect(globMatch('node-?', 'node-1')).toBe(true);
    expect(globMatch('node-?', 'node-12')).toBe(false);
    expect(globMatch('a.b', 'axb')).toBe(false);
    expect(globMatch('(x)+', '(x)+')).toBe(true);
    expect(globMatch(undefined, 'anything')).toBe(true);
  });
});

describe('expiry', () => {
  it('is judged in UTC, the expiry date included', () => {
    expect(isExpired(W, '2027-01-31T23:59:59.999Z')).toBe(false);
    expect(isExpired(W, '2027-02-01T00:00:00.000Z')).toBe(true);
    // 23:30 on Jan 31 in New York is already Feb 1 in UTC.
    expect(isExpired(W, new Date('2027-01-31T23:30:00-05:00').toISOString())).toBe(true);
  });
});

describe('applyWaivers', () => {
  const cases = [
    kase({ status: 'failed', caseId: 'vulnerability-mds', host: 'node-1' }),
    kase({ status: 'error', caseId: 'vulnerability-l1tf', host: 'node-1' }),
    kase({ status: 'failed', caseId: 'vulnerability-mds', host: 'other-1' }),
    kase({ status: 'passed', caseId: 'vulnerability-srbds', host: 'node-2' }),
  ];

  it('waives matching failed cases, records reason/ticket, lists the waiver as applied', () => {
    const out = applyWaivers(cases, [W], '2026-03-01T10:00:00Z');
    expect(out.cases.map((c) => c.status)).toEqual(['waived', 'error', 'failed', 'passed']);
    expect(out.cases[0]!.waiver).toEqual({
      reason: W.reason,
      ticket: 'HW-1234',
      expires: '2027-01-31',
      status: 'failed',
    });
    expect(out.records).toEqual([{ ...W, state: 'applied', cases: ['host-os/vulnerability-mds@node-1'] }]);
  });

  it('waives an error case only when the waiver says errors: true', () => {
    const out = applyWaivers(cases, [{ ...W, errors: true }], '2026-03-01T10:00:00Z');
    expect(out.cases.map((c) => c.status)).toEqual(['waived', 'waived', 'failed', 'passed']);
    expect(out.cases[1]!.waiver?.status).toBe('error');
  });

  it('does not apply an expired waiver and lists it as expired with the cases it matched', () => {
    const out = applyWaivers(cases, [W], '2027-02-01T00:00:00Z');
    expect(out.cases.map((c) => c.status)).toEqual(['failed', 'error', 'failed', 'passed']);
    expect(out.records[0]).toMatchObject({ state: 'expired', cases: ['host-os/vulnerability-mds@node-1'] });
  });

  it('lists a waiver that matched nothing as unused (a passed case is not waived)', () => {
    const out = applyWaivers(cases, [{ ...W, match: { case: 'vulnerability-srbds' } }], '2026-03-01T10:00:00Z');
    expect(out.records[0]).toMatchObject({ state: 'unused', cases: [] });
  });

  it('re-applying restores the original status first (waived error stays error under a failed-only waiver)', () => {
    const once = applyWaivers(cases, [{ ...W, errors: true }], '2026-03-01T10:00:00Z').cases;
    const again = applyWaivers(once, [W], '2026-03-01T10:00:00Z').cases;
    expect(again.map((c) => c.status)).toEqual(['waived', 'error', 'failed', 'passed']);
  });
});

describe('applySignoff with waivers', () => {
  const r = results([kase({ status: 'passed' }), kase({ status: 'failed', caseId: 'vulnerability-mds' })]);
  const waivers = { file: 'waivers.yaml', sha256: 'c'.repeat(64), waivers: [W] };

  it('makes a waived-only run conditional (exit 3) and records the waivers file', () => {
    const s = applySignoff(r, { waivers });
    expect(s.signoff).toMatchObject({ verdict: 'conditional', exitCode: 3, judgedAt: '2026-03-01T10:00:00.000Z' });
    expect(s.summary).toMatchObject({ failed: 0, waived: 1 });
    expect(s.run.waiversSha256).toBe('c'.repeat(64));
  });

  it('judges expiry at the run start, so a later rebuild gives the same verdict; --now can change it', () => {
    const first = applySignoff(r, { waivers });
    expect(applySignoff(first).signoff?.verdict).toBe('conditional');
    expect(applySignoff(first)).toEqual(first);
    const later = applySignoff(first, { now: '2027-02-01T00:00:00.000Z' });
    expect(later.signoff?.verdict).toBe('not-qualified');
    expect(later.waivers?.[0]?.state).toBe('expired');
  });
});

describe('waivers file', () => {
  const dir = tempDir('hwqual-waivers-');
  it('loads the issue example from YAML (the date stays a string) with its sha256', () => {
    const file = path.join(dir, 'waivers.yaml');
    writeFileSync(
      file,
      '- match: { suite: host-os, case: "vulnerability-*", host: "node-*" }\n  reason: "microcode fix"\n  ticket: ' +
        'HW-1234\n  expires: 2027-01-31\n',
    );
    const w = loadWaivers(file);
    expect(w.waivers).toEqual([
      {
        match: { suite: 'host-os', case: 'vulnerability-*', host: 'node-*' },
        reason: 'microcode fix',
        ticket: 'HW-1234',
        expires: '2027-01-31',
      },
    ]);
    expect(w.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the file and the JSON path of every problem', () => {
    const bad = [
      { match: {}, reason: '', expires: '2027-02-30', severity: 'x' },
      { reason: 'r', expires: '2027-01-01', errors: 'yes' },
    ];
    expect(() => validateWaivers('waivers.yaml', bad)).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
    let problems: string[] = [];
    try {
      validateWaivers('waivers.yaml', bad);
    } catch (e) {
      problems = (e as { problems: string[] }).problems;
    }
    expect(problems).toEqual(
      expect.arrayContaining([
        'waivers.yaml: /0/expires must match format "date"',
        'waivers.yaml: /0/severity is not a known field',
        'waivers.yaml: /0/match must NOT have fewer than 1 properties',
        "waivers.yaml: /1 must have required property 'match'",
        'waivers.yaml: /1/errors must be boolean',
      ]),
    );
  });
});
