import { AssertionFailure } from '../model/errors.ts';
import type { AssertionRecord } from '../model/result.ts';
import type { Checks } from '../suite-api/types.ts';

export function show(value: unknown): string {
  if (value === undefined) return '(absent)';
  if (typeof value === 'string') return value;
  if (value instanceof RegExp) return `/${value.source}/${value.flags}`;
  return JSON.stringify(value);
}

/**
 * Assertions that record expected vs actual. `hard` ones throw AssertionFailure on the first miss (`ctx.expect`);
 * soft ones record and go on (`ctx.check`); the case fails at its end if any soft one missed.
 */
export function makeChecks(records: AssertionRecord[], hard: boolean): Checks {
  const record = (name: string, passed: boolean, expected: unknown, actual: unknown, message?: string): boolean => {
    const rec: AssertionRecord = { name, passed, expected: show(expected), actual: show(actual) };
    if (!passed) rec.message = message ?? `${name}: expected ${show(expected)}, got ${show(actual)}`;
    records.push(rec);
    if (!passed && hard) throw new AssertionFailure(rec.message!, rec.expected, rec.actual);
    return passed;
  };
  return {
    equal: (name, actual, expected) =>
      record(name, JSON.stringify(actual) === JSON.stringify(expected), expected, actual),
    match: (name, actual, pattern) => {
      const re = typeof pattern === 'string' ? new RegExp(pattern) : pattern;
      return record(name, actual !== undefined && re.test(actual), re, actual);
    },
    atLeast: (name, actual, min) => record(name, actual !== undefined && actual >= min, `>= ${min}`, actual),
    atMost: (name, actual, max) => record(name, actual !== undefined && actual <= max, `<= ${max}`, actual),
    includesAll: (name, actual, expected) => {
      const missing = expected.filter((e) => !actual?.includes(e));
      return record(name, actual !== undefined && missing.length === 0, expected, actual === undefined ? undefined : `missing: ${missing.join(', ') || 'none'}`,
        actual === undefined ? `${name}: not known on this host` : `${name}: missing ${missing.join(', ')}`);
    },
    ok: (name, condition, detail = {}) => record(name, condition, detail.expected ?? true, detail.actual ?? condition, detail.message),
  };
}
