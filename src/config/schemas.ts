import { readFileSync } from 'node:fs';

/** The config files hwqual reads, each validated against its JSON Schema (`grid`: `hwqual lab-migrate --plan`). */
export const CONFIG_SCHEMAS = ['plan', 'lab', 'waivers', 'grid'] as const;
export type ConfigSchemaName = (typeof CONFIG_SCHEMAS)[number];

import type { JsonSchema } from './plan-parts.ts';

const cache = new Map<string, JsonSchema>();

/**
 * The JSON Schema a config file is validated against: what the validators compile and what the reference pages
 * (docs/reference/, `npm run docs:reference`) are generated from, so the two cannot drift.
 */
export function configSchema(name: ConfigSchemaName): JsonSchema {
  let schema = cache.get(name);
  if (!schema) {
    schema = JSON.parse(readFileSync(new URL(`./schemas/${name}.schema.json`, import.meta.url), 'utf8')) as JsonSchema;
    cache.set(name, schema);
  }
  return schema;
}
