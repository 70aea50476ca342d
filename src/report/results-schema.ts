import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { RunResults } from '../model/result.ts';
import { HwqualError } from '../model/errors.ts';

/** ajv-formats is CommonJS; under ESM its default import is the plugin function itself. */
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

let compiled: { whole: ValidateFunction; oneCase: ValidateFunction } | undefined;

/** The compiled JSON Schema of results.json (schema/results.schema.json, draft 2020-12), and of one case in it. */
function validators(): { whole: ValidateFunction; oneCase: ValidateFunction } {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(new URL('./schema/results.schema.json', import.meta.url), 'utf8'));
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    const whole = ajv.compile(schema);
    compiled = { whole, oneCase: ajv.getSchema(`${schema.$id}#/$defs/case`)! };
  }
  return compiled;
}

export function resultsValidator(): ValidateFunction {
  return validators().whole;
}

/**
 * Every problem of a results.json, one line each: `results.json: /cases/3/status must be equal to one of the allowed
 * values`.
 */
export function resultsProblems(label: string, data: unknown): string[] {
  return problems(label, validators().whole, data, '');
}

/** Every problem of one case of a results.json (the file read case by case), its pointer `/cases/<index>/…`. */
export function caseProblems(label: string, data: unknown, index: number): string[] {
  return problems(label, validators().oneCase, data, `/cases/${index}`);
}

function problems(label: string, validate: ValidateFunction, data: unknown, prefix: string): string[] {
  if (validate(data)) return [];
  return (validate.errors ?? []).map(
    (e: ErrorObject) => `${label}: ${prefix + e.instancePath || '/'} ${e.message ?? 'is invalid'}${extra(e)}`,
  );
}

/** Parse and validate a results.json's text; throws E_CONFIG naming the file and each JSON path. */
export function parseResults(label: string, text: string): RunResults {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new HwqualError('E_CONFIG', `${label}: not JSON (${(err as Error).message})`);
  }
  const problems = resultsProblems(label, data);
  if (problems.length) throw new HwqualError('E_CONFIG', problems.join('\n'));
  return data as RunResults;
}

function extra(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties')
    return ` (${(e.params as { additionalProperty: string }).additionalProperty})`;
  if (e.keyword === 'enum') return ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`;
  return '';
}
