import { Ajv, type ValidateFunction } from 'ajv';
import { ConfigError, formatAjvErrors } from './errors.ts';
import { configSchema, type ConfigSchemaName } from './schemas.ts';

// verbose: the failing schema's title words a pattern error (grid.yaml's lab-shape rate).
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
const cache = new Map<string, ValidateFunction>();

/** Compile (once) a config schema (src/config/schemas.ts). */
export function schemaValidator(name: ConfigSchemaName): ValidateFunction {
  let v = cache.get(name);
  if (!v) {
    v = ajv.compile(configSchema(name));
    cache.set(name, v);
  }
  return v;
}

/** Validate data against a named schema; throws ConfigError listing every problem. */
export function validateAgainst(name: ConfigSchemaName, label: string, data: unknown): void {
  const validate = schemaValidator(name);
  if (!validate(data)) throw new ConfigError(formatAjvErrors(label, validate.errors ?? []));
}
