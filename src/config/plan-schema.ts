import { isDeepStrictEqual } from 'node:util';
import { HwqualError } from '../model/errors.ts';
import type { JsonSchema, PlanPart } from './plan-parts.ts';
import { configSchema } from './schemas.ts';
import { loadPlanParts, suiteDirs } from './suite-dirs.ts';

/** The base of the plan schema (src/config/schemas/plan.schema.json): every key that is not a suite's own. */
function baseSchema(): JsonSchema {
  return structuredClone(configSchema('plan'));
}

/**
 * The plan schema with every suite's part in it: `require:` and `settings:` list exactly the keys the suites
 * declare (anything else is "not a known field"), and a settings block a part marks `topLevel` is also a key at the
 * top (`migration:`). Two suites may declare the same key only with the same schema. Pure.
 */
export function composePlanSchema(parts: readonly PlanPart[]): JsonSchema {
  const schema = baseSchema();
  const props = schema.properties as Record<string, JsonSchema>;
  const require = collect(parts, 'require');
  const settings = collect(parts, 'settings');
  props.require = { ...props.require, additionalProperties: false, properties: require };
  props.settings = {
    ...props.settings,
    additionalProperties: false,
    properties: {
      accel: { $ref: '#/definitions/accel', description: 'The same as the top-level accel:.' },
      driver: { $ref: '#/definitions/driver', description: 'The same as the top-level driver:.' },
      ...settings,
    },
  };
  for (const part of parts)
    for (const key of part.topLevel ?? []) {
      if (!settings[key])
        throw internal(`suite ${part.suite} lists ${key} as topLevel but declares no settings.${key}`);
      if (props[key] && !isDeepStrictEqual(props[key], settings[key]))
        throw internal(`suite ${part.suite}: top-level key ${key} is already a plan key`);
      props[key] = settings[key];
    }
  return schema;
}

function collect(parts: readonly PlanPart[], block: 'require' | 'settings'): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  const owner = new Map<string, string>();
  for (const part of parts)
    for (const [key, schema] of Object.entries(part[block] ?? {})) {
      if (out[key] && !isDeepStrictEqual(out[key], schema))
        throw internal(`${block}.${key} is declared differently by suites ${owner.get(key)} and ${part.suite}`);
      out[key] = schema;
      owner.set(key, part.suite);
    }
  return out;
}

function internal(message: string): HwqualError {
  return new HwqualError('E_INTERNAL', `plan schema: ${message}`);
}

/**
 * The composed plan schema of the built-in suites and those of HWQUAL_SUITES_PATH: what `hwqual validate` checks a
 * plan against, `hwqual schema plan` prints and the generated reference documents.
 */
export async function planSchema(dirs: readonly string[] = suiteDirs()): Promise<JsonSchema> {
  return composePlanSchema(await loadPlanParts(dirs));
}

/** The lab and waivers schemas (no suite adds to them). */
export function fixedSchema(name: 'lab' | 'waivers' | 'grid'): JsonSchema {
  return configSchema(name);
}
