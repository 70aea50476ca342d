import { Ajv, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, formatAjvErrors } from './errors.ts';

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const cache = new Map<string, ValidateFunction>();

/** Compile (once) a schema from src/config/schemas/<name>.schema.json. */
export function schemaValidator(name: string): ValidateFunction {
  let v = cache.get(name);
  if (!v) {
    const url = new URL(`./schemas/${name}.schema.json`, import.meta.url);
    v = ajv.compile(JSON.parse(readFileSync(fileURLToPath(url), 'utf8')));
    cache.set(name, v);
  }
  return v;
}

/** Validate data against a named schema; throws ConfigError listing every problem. */
export function validateAgainst(name: string, label: string, data: unknown): void {
  const validate = schemaValidator(name);
  if (!validate(data)) throw new ConfigError(formatAjvErrors(label, validate.errors ?? []));
}
