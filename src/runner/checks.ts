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
 * A class (methods on the prototype), not an object of closures: every case makes two, and runs have 60,000 cases.
 */
export function makeChecks(records: AssertionRecord[], hard: boolean): Checks {
  return new RecordingChecks(records, hard);
}

class RecordingChecks implements Checks {
  constructor(
    private readonly records: AssertionRecord[],
    private readonly hard: boolean,
  ) {}

  private record(name: string, passed: boolean, expected: unknown, actual: unknown, message?: string): boolean {
    const rec: AssertionRecord = { name, passed, expected: show(expected), actual: show(actual) };
    if (!passed) rec.message = message ?? `${name}: expected ${show(expected)}, got ${show(actual)}`;
    this.records.push(rec);
    if (!passed && this.hard) throw new AssertionFailure(rec.message!, rec.expected, rec.actual);
    return passed;
  }

  equal(name: string, actual: unknown, expected: unknown): boolean {
    return this.record(name, JSON.stringify(actual) === JSON.stringify(expected), expected, actual);
  }

  match(name: string, actual: string | undefined, pattern: RegExp | string): boolean {
    const re = typeof pattern === 'string' ? new RegExp(pattern) : pattern;
    return this.record(name, actual !== undefined && re.test(actual), re, actual);
  }

  atLeast(name: string, actual: number | undefined, min: number): boolean {
    return this.record(name, actual !== undefined && actual >= min, `>= ${min}`, actual);
  }

  atMost(name: string, actual: number | undefined, max: number): boolean {
    return this.record(name, actual !== undefined && actual <= max, `<= ${max}`, actual);
  }

  includesAll(name: string, actual: readonly string[] | undefined, expected: readonly string[]): boolean {
    const missing = expected.filter((e) => !actual?.includes(e));
    return this.record(
      name,
      actual !== undefined && missing.length === 0,
      expected,
      actual === undefined ? undefined : `missing: ${missing.join(', ') || 'none'}`,
      actual === undefined ? `${name}: not known on this host` : `${name}: missing ${missing.join(', ')}`,
    );
  }

  ok(
    name: string,
    condition: boolean,
    detail: { expected?: unknown; actual?: unknown; message?: string } = {},
  ): boolean {
    return this.record(name, condition, detail.expected ?? true, detail.actual ?? condition, detail.message);
  }
}
