import { describe, expect, it } from 'vitest';
import { EXIT, verdictExitCode } from '../../src/cli/exit-codes.ts';
import { CASE_STATUSES } from '../../src/model/status.ts';
import { caseEffect, computeVerdict, STATUS_TABLE, VERDICT_EXIT, VERDICTS } from '../../src/report/verdict.ts';
import { combinePlannedCases, plannedCasesOf } from '../../src/model/coverage.ts';
import { kase, results } from './report-fixtures.ts';

const verdictOf = (...cases: ReturnType<typeof kase>[]) => computeVerdict(results(cases)).verdict;

describe('the status table', () => {
  it('covers every status with a JUnit form and a verdict effect', () => {
    expect(Object.keys(STATUS_TABLE).sort()).toEqual([...CASE_STATUSES].sort());
    expect(Object.fromEntries(CASE_STATUSES.map((s) => [s, STATUS_TABLE[s].junit]))).toEqual({
      passed: 'testcase',
      failed: 'failure',
      error: 'error',
      skipped: 'skipped',
      flaky: 'testcase',
      cancelled: 'error',
      waived: 'skipped',
    });
  });

  it('applies severity to failed and error only', () => {
    expect(caseEffect('failed', 'blocker')).toBe('not-qualified');
    expect(caseEffect('failed', 'major')).toBe('not-qualified');
    expect(caseEffect('failed', 'minor')).toBe('conditional');
    expect(caseEffect('error', 'minor')).toBe('conditional');
    expect(caseEffect('waived', 'blocker')).toBe('conditional');
    expect(caseEffect('cancelled', 'minor')).toBe('not-qualified');
    expect(caseEffect('flaky', 'blocker')).toBe('none');
    expect(caseEffect('skipped', 'blocker')).toBe('none');
  });

  it('maps verdicts to exit codes 0 / 3 / 4 / 1, the same in the CLI table', () => {
    expect(VERDICT_EXIT).toEqual({ qualified: 0, conditional: 3, incomplete: 4, 'not-qualified': 1 });
    for (const v of VERDICTS) expect(verdictExitCode(v)).toBe(VERDICT_EXIT[v]);
    expect(EXIT).toMatchObject({ ok: 0, failed: 1, badInput: 2, conditional: 3, incomplete: 4, interrupted: 130 });
  });
});

describe('computeVerdict', () => {
  it('qualified: passes, flaky and skipped only', () => {
    expect(verdictOf(kase({ status: 'passed' }), kase({ status: 'flaky' }), kase({ status: 'skipped' }))).toBe(
      'qualified',
    );
  });

  it('conditional: a minor failure or a waived case', () => {
    expect(verdictOf(kase({ status: 'passed' }), kase({ status: 'failed', severity: 'minor' }))).toBe('conditional');
    expect(verdictOf(kase({ status: 'passed' }), kase({ status: 'waived', severity: 'blocker' }))).toBe('conditional');
  });

  it('not-qualified: a blocker/major failure or error, a cancelled case', () => {
    expect(
      verdictOf(kase({ status: 'failed', severity: 'blocker' }), kase({ status: 'failed', severity: 'minor' })),
    ).toBe('not-qualified');
    expect(verdictOf(kase({ status: 'passed' }), kase({ status: 'error', severity: 'major' }))).toBe('not-qualified');
    expect(verdictOf(kase({ status: 'passed' }), kase({ status: 'cancelled' }))).toBe('not-qualified');
  });

  it('not-qualified when no case ran: no cases, or all skipped', () => {
    expect(computeVerdict(results([]))).toEqual({ verdict: 'not-qualified', reasons: ['no case ran'] });
    expect(verdictOf(kase({ status: 'skipped' }))).toBe('not-qualified');
  });

  it('not-qualified when interrupted', () => {
    const r = results([kase({ status: 'passed' })]);
    r.run.interrupted = true;
    expect(computeVerdict(r).reasons).toContain('the run was interrupted');
  });

  it('not-qualified when a planned cell has no case; a cell of skipped cases did run', () => {
    const r = results([
      kase({ status: 'passed', suite: 'a', host: 'h1' }),
      kase({ status: 'skipped', suite: 'b', host: 'h1' }),
    ]);
    r.run.planned = [
      { suite: 'a', host: 'h1' },
      { suite: 'b', host: 'h1' },
    ];
    expect(computeVerdict(r).verdict).toBe('qualified');
    r.run.planned.push({ suite: 'a', host: 'h2' });
    expect(computeVerdict(r)).toEqual({ verdict: 'not-qualified', reasons: ['planned cell a@h2 did not run'] });
  });

  it('incomplete when the results hold fewer or other cases than planned; a failure still wins', () => {
    const all = [kase({ status: 'passed', caseId: 'a' }), kase({ status: 'passed', caseId: 'b' })];
    const r = results(all);
    r.run.plannedCases = plannedCasesOf(all.map((c) => c.id));
    expect(computeVerdict(r)).toEqual({ verdict: 'qualified', reasons: [], coverage: { ran: 2, planned: 2 } });
    const partial = results([all[0]!]);
    partial.run.plannedCases = r.run.plannedCases;
    expect(computeVerdict(partial)).toEqual({
      verdict: 'incomplete',
      reasons: ['incomplete: 1 of 2 planned cases ran; not a sign-off'],
      coverage: { ran: 1, planned: 2 },
    });
    const swapped = results([all[0]!, kase({ status: 'passed', caseId: 'c' })]);
    swapped.run.plannedCases = r.run.plannedCases;
    expect(computeVerdict(swapped).reasons).toEqual([
      'incomplete: 2 of 2 planned cases ran (the recorded cases are not the planned ones); not a sign-off',
    ]);
    const failing = results([kase({ status: 'failed', caseId: 'a' })]);
    failing.run.plannedCases = r.run.plannedCases;
    expect(computeVerdict(failing).verdict).toBe('not-qualified');
    const minor = results([kase({ status: 'failed', severity: 'minor', caseId: 'a' })]);
    minor.run.plannedCases = r.run.plannedCases;
    expect(computeVerdict(minor).verdict).toBe('incomplete');
  });

  it('a shard alone is incomplete even when all of its cases ran; the shards combined are whole', () => {
    const one = [kase({ status: 'passed', caseId: 'a' })];
    const two = [kase({ status: 'passed', caseId: 'b' })];
    const r = results(one);
    r.run.shard = { index: 1, total: 2 };
    r.run.plannedCases = plannedCasesOf(one.map((c) => c.id));
    expect(computeVerdict(r).verdict).toBe('incomplete');
    const whole = results([...one, ...two]);
    whole.run.plannedCases = combinePlannedCases([r.run.plannedCases, plannedCasesOf(two.map((c) => c.id))]);
    expect(whole.run.plannedCases).toEqual(plannedCasesOf([two[0]!.id, one[0]!.id]));
    expect(computeVerdict(whole).verdict).toBe('qualified');
  });

  it('lists why, blockers first then conditional reasons', () => {
    const v = computeVerdict(
      results([kase({ status: 'failed', severity: 'minor', caseId: 'm' }), kase({ status: 'error', caseId: 'e' })]),
    );
    expect(v.reasons).toEqual(['host-os/e@node-1: error (major)', 'host-os/m@node-1: failed (minor)']);
  });
});
