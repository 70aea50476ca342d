export { loadLab, normalizeLab, SSH_DEFAULTS } from './lab.ts';
export { loadPlan, PLAN_DEFAULTS } from './plan.ts';
export { ConfigError } from './errors.ts';
export { readConfigFile } from './read.ts';
export { validateAgainst, schemaValidator } from './validator.ts';
export { CONFIG_SCHEMAS, configSchema, type ConfigSchemaName, type JsonSchema } from './schemas.ts';
export type * from './types.ts';
