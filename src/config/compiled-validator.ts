import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type Options, type ValidateFunction } from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import type { JsonSchema } from './plan-parts.ts';

/** ajv's standalone generator is CommonJS; under ESM its default import is the function itself. */
const standaloneCode = standaloneModule as unknown as (ajv: Ajv, validate: ValidateFunction) => string;

/** Inside the project, so the generated code's `require('ajv/dist/runtime/…')` resolves to this ajv. */
const CACHE = fileURLToPath(new URL('../../.hwqual-cache/validators/', import.meta.url));
const requireHere = createRequire(import.meta.url);
const AJV_VERSION = (requireHere('ajv/package.json') as { version: string }).version;

/**
 * A compiled validator for a schema that changes only with the suites' parts (the composed plan schema). ajv takes
 * ~0.3 s to compile it — at every start of the CLI, before any host may be contacted — so the compiled code is kept
 * in .hwqual-cache/validators/ under the sha256 of the schema, the options and ajv's version, and later starts load
 * it in milliseconds. Any trouble with the cache (read-only checkout, a broken file) falls back to compiling.
 */
export function cachedValidator(schema: JsonSchema, options: Options): ValidateFunction {
  const key = createHash('sha256')
    .update(JSON.stringify({ schema, options, ajv: AJV_VERSION }))
    .digest('hex')
    .slice(0, 24);
  const file = join(CACHE, `validator-${key}.cjs`);
  try {
    return requireHere(file) as ValidateFunction;
  } catch {
    /* not cached yet, or unreadable: compile */
  }
  const ajv = new Ajv({ ...options, code: { ...options.code, source: true } });
  const validate = ajv.compile(schema);
  try {
    mkdirSync(CACHE, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, standaloneCode(ajv, validate));
    renameSync(tmp, file);
    prune();
  } catch {
    /* a cache we cannot write costs the compile next time, nothing else */
  }
  return validate;
}

/** Keep the newest few (one per suites path in use; ~250 KB each): a schema that changed leaves its old file. */
function prune(keep = 8): void {
  const files = readdirSync(CACHE)
    .filter((f) => /^validator-[0-9a-f]+\.cjs$/.test(f))
    .map((f) => ({ f, t: statSync(join(CACHE, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of files.slice(keep)) rmSync(join(CACHE, f), { force: true });
}
