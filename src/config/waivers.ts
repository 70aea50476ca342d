import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Waiver } from '../model/result.ts';
import { ConfigError, formatAjvErrors } from './errors.ts';
import { readConfigFile } from './read.ts';
import { configSchema } from './schemas.ts';

/** ajv-formats is CommonJS; under ESM its default import is the plugin function itself. */
const addFormats = addFormatsModule as unknown as (ajv: Ajv, formats?: string[]) => Ajv;

export interface WaiversFile {
  file: string;
  sha256: string;
  waivers: Waiver[];
}

let validator: ValidateFunction | undefined;

function waiversValidator(): ValidateFunction {
  if (!validator) {
    const schema = configSchema('waivers');
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats(ajv, ['date']);
    validator = ajv.compile(schema);
  }
  return validator;
}

/** Validate parsed waivers data; throws ConfigError (`waivers.yaml: /0/expires must match format "date"`). */
export function validateWaivers(label: string, data: unknown): Waiver[] {
  const validate = waiversValidator();
  if (!validate(data)) throw new ConfigError(formatAjvErrors(label, validate.errors ?? []));
  return data as Waiver[];
}

/** Read and validate `--waivers waivers.yaml` (YAML or JSON). */
export function loadWaivers(path: string): WaiversFile {
  const raw = readConfigFile(path);
  return { file: path, sha256: raw.sha256, waivers: validateWaivers(raw.label, raw.data) };
}
