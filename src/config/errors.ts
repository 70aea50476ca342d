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

/** ajv errors → `lab.yaml: /hosts/1/port must be integer`, unknown keys named. */
export function formatAjvErrors(fileLabel: string, errors: readonly ErrorObject[]): string[] {
  const out = new Set<string>();
  for (const e of errors) {
    const at = e.instancePath || '/';
    if (e.keyword === 'additionalProperties') {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      out.add(`${fileLabel}: ${at === '/' ? '' : at}/${key} is not a known field`);
    } else if (e.keyword === 'enum') {
      out.add(
        `${fileLabel}: ${at} must be one of ` +
          (e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', '),
      );
    } else if (e.keyword === 'anyOf' || e.keyword === 'if') {
    } else {
      out.add(`${fileLabel}: ${at} ${e.message ?? 'is invalid'}`);
    }
  }
  return [...out];
}
