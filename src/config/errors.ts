import type { ErrorObject } from 'ajv';
import { HwqualError } from '../model/errors.ts';

/** All problems of one config file at once; the message lists each as `file: /json/path message`. */
export class ConfigError extends HwqualError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('E_CONFIG', problems.join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * ajv errors → `lab.yaml: /hosts/1/port must be integer`, unknown keys named. Of a failed anyOf, the branch the
 * value's type chose speaks (an object with an unknown key says so, not "must be string"); when no branch took the
 * value, or every branch only misses a property, one line lists the alternatives. A pattern error says what the
 * pattern stands for when its schema has a `title` (validators compiled with `verbose` give the schema). A key
 * refused by `propertyNames` is an unknown field, with the keys allowed when they are an enum.
 */
export function formatAjvErrors(fileLabel: string, errors: readonly ErrorObject[]): string[] {
  const out = new Set<string>();
  const hidden = new Set<ErrorObject>();
  const combined = new Map<ErrorObject, string>();
  errors.forEach((a, k) => {
    if (a.keyword !== 'anyOf') return;
    // ajv reports a branch's errors just before the anyOf's own: the run of errors at or under its path.
    const branch: ErrorObject[] = [];
    for (let j = k - 1; j >= 0 && errors[j]!.instancePath.startsWith(a.instancePath); j--)
      if (errors[j]!.keyword !== 'anyOf' && !hidden.has(errors[j]!)) branch.push(errors[j]!);
    const at = (e: ErrorObject) => e.instancePath === a.instancePath;
    const typeErrs = branch.filter((e) => at(e) && (e.keyword === 'type' || e.keyword === 'const'));
    const others = branch.filter((e) => !typeErrs.includes(e));
    // The value's type matched a branch (others): that branch speaks; its missing properties make one line.
    const alternatives = others.length ? others.every((e) => at(e) && e.keyword === 'required') : true;
    for (const e of typeErrs) hidden.add(e);
    const spoken = (others.length ? (alternatives ? others : []) : typeErrs).reverse();
    for (const e of spoken) hidden.add(e);
    if (spoken.length) combined.set(a, [...new Set(spoken.map(describe))].join(' or '));
  });
  for (const e of errors) {
    const at = e.instancePath || '/';
    if (combined.has(e)) out.add(`${fileLabel}: ${at} ${combined.get(e)}`);
    // A propertyNames error comes with its inner error (e.g. the enum), marked by propertyName: the outer one speaks.
    if (e.keyword === 'anyOf' || e.keyword === 'if' || hidden.has(e) || e.propertyName !== undefined) continue;
    if (e.keyword === 'propertyNames') {
      const key = (e.params as { propertyName: string }).propertyName;
      const allowed = (e.schema as { enum?: unknown[] } | undefined)?.enum;
      out.add(
        `${fileLabel}: ${at === '/' ? '' : at}/${key} is not a known field${allowed ? ` (${allowed.join(', ')})` : ''}`,
      );
    } else if (e.keyword === 'additionalProperties') {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      out.add(`${fileLabel}: ${at === '/' ? '' : at}/${key} is not a known field`);
    } else out.add(`${fileLabel}: ${at} ${describe(e)}`);
  }
  return [...out];
}

function describe(e: ErrorObject): string {
  if (e.keyword === 'enum')
    return `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')}`;
  const title = (e.parentSchema as { title?: string } | undefined)?.title;
  if (e.keyword === 'pattern' && title) return `must be ${title}`;
  if (e.keyword === 'const') return `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
  return e.message ?? 'is invalid';
}
