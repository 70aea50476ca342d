import { resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { cachedValidator } from './compiled-validator.ts';
import { ConfigError, formatAjvErrors } from './errors.ts';
import type { PlanPart } from './plan-parts.ts';
import { composePlanSchema } from './plan-schema.ts';
import { readConfigFile, type RawConfigFile } from './read.ts';
import { loadPlanParts } from './suite-dirs.ts';
import type { FactGroup, PlanConfig, PlanMatrix, PlanRequire, PlanSettings } from './types.ts';

/** The plan as written (valid against the composed schema). */
export interface RawPlan {
  name: string;
  suites: string[];
  hosts?: { labels?: Record<string, string | number | boolean>; names?: string[] };
  severity?: Record<string, 'blocker' | 'major' | 'minor'>;
  require?: PlanRequire;
  concurrency?: number;
  timeouts?: { case?: number };
  retries?: number;
  retryFailed?: boolean;
  matrix?: PlanMatrix;
  settings?: PlanSettings;
  images?: PlanMatrix['images'];
  cpuModels?: PlanMatrix['cpuModels'];
  accel?: PlanSettings['accel'];
  driver?: PlanSettings['driver'];
  facts?: 'auto' | 'all' | 'none' | FactGroup | FactGroup[];
  /** Suites' top-level settings blocks (`migration:`). */
  [topLevel: string]: unknown;
}

export const PLAN_DEFAULTS = { concurrency: 8, caseTimeoutSec: 120, retries: 0 } as const;
const AXES = ['images', 'cpuModels'] as const;
/** Settings of the base schema that may also be written at the top (`accel: tcg`, `driver: libvirt`). */
const BASE_SETTINGS = ['accel', 'driver'] as const;

const compiled = new WeakMap<readonly PlanPart[], ValidateFunction>();

function planValidator(parts: readonly PlanPart[]): ValidateFunction {
  let v = compiled.get(parts);
  if (!v) {
    // strictRequired off: `anyOf: [{ required: [disk] }, { required: [kernel] }]` names properties of the parent.
    // verbose: the failing schema's title words a pattern error. No code optimisation: one plan is small.
    v = cachedValidator(composePlanSchema(parts), {
      allErrors: true,
      verbose: true,
      strict: true,
      strictRequired: false,
      allowUnionTypes: true,
      code: { optimize: false },
    });
    compiled.set(parts, v);
  }
  return v;
}

/**
 * Every schema problem of a plan's data (`plan.yaml: /migration/strategis is not a known field`), and the JSON
 * pointers they are at (so the cross-field rules of a block with a schema problem can stand aside).
 */
export function planSchemaProblems(
  label: string,
  data: unknown,
  parts: readonly PlanPart[],
): { problems: string[]; paths: string[] } {
  const validate = planValidator(parts);
  if (validate(data)) return { problems: [], paths: [] };
  const errors = validate.errors ?? [];
  const paths = errors.map((e) =>
    e.keyword === 'required'
      ? `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`
      : e.instancePath,
  );
  return { problems: formatAjvErrors(label, errors), paths };
}

/** Rules between keys of the plan alone: an axis or a settings block given twice (at the top and inside). */
export function planShapeProblems(label: string, raw: RawPlan, parts: readonly PlanPart[]): string[] {
  const problems: string[] = [];
  for (const axis of AXES)
    if (raw[axis] !== undefined && raw.matrix?.[axis] !== undefined)
      problems.push(`${label}: /matrix/${axis} is also given at /${axis}: give it once`);
  const settings = (raw.settings ?? {}) as Record<string, unknown>;
  for (const key of [...BASE_SETTINGS, ...parts.flatMap((p) => p.topLevel ?? [])])
    if (raw[key] !== undefined && settings[key] !== undefined)
      problems.push(`${label}: /settings/${key} is also given at /${key}: give it once`);
  return problems;
}

/** The typed plan: defaults applied, top-level axes and settings blocks moved to matrix and settings. */
export function normalizePlan(raw: RawPlan, file: Pick<RawConfigFile, 'path' | 'sha256'>, parts: readonly PlanPart[]) {
  const matrix: PlanMatrix = { ...raw.matrix };
  if (raw.images) matrix.images = raw.images;
  if (raw.cpuModels) matrix.cpuModels = raw.cpuModels;
  const settings: Record<string, unknown> = { ...raw.settings };
  for (const key of [...BASE_SETTINGS, ...parts.flatMap((p) => p.topLevel ?? [])])
    if (raw[key] !== undefined) settings[key] = raw[key];
  const plan: PlanConfig = {
    file: resolve(file.path),
    sha256: file.sha256,
    name: raw.name,
    suites: raw.suites,
    hosts: {
      labels: raw.hosts?.labels
        ? Object.fromEntries(Object.entries(raw.hosts.labels).map(([k, v]) => [k, String(v)]))
        : undefined,
      names: raw.hosts?.names,
    },
    severity: raw.severity ?? {},
    require: raw.require ?? {},
    concurrency: raw.concurrency ?? PLAN_DEFAULTS.concurrency,
    timeouts: { case: raw.timeouts?.case ?? PLAN_DEFAULTS.caseTimeoutSec },
    retries: raw.retries ?? PLAN_DEFAULTS.retries,
    retryFailed: raw.retryFailed ?? false,
    matrix,
    settings: settings as PlanSettings,
    ...(raw.facts !== undefined && {
      facts:
        raw.facts === 'auto' || raw.facts === 'all' || raw.facts === 'none' || Array.isArray(raw.facts)
          ? raw.facts
          : [raw.facts],
    }),
  };
  return plan;
}

/**
 * A plan a command makes in memory (record's default, the rehearsal's host-os runs): the given parts, the defaults for
 * the rest. It is not validated: the caller writes only what the schema allows.
 */
export function inMemoryPlan(
  p: Pick<PlanConfig, 'file' | 'sha256' | 'name' | 'suites'> & Partial<Pick<PlanConfig, 'hosts' | 'require' | 'facts'>>,
): PlanConfig {
  return {
    hosts: {},
    require: {},
    ...p,
    severity: {},
    concurrency: PLAN_DEFAULTS.concurrency,
    timeouts: { case: PLAN_DEFAULTS.caseTimeoutSec },
    retries: PLAN_DEFAULTS.retries,
    retryFailed: false,
    matrix: {},
    settings: {},
  };
}

/**
 * Read and validate a plan against the composed schema of the suites' parts (default: every known suite's); the
 * rules that need the lab run in validateConfigs. Throws ConfigError listing every problem.
 */
export async function loadPlan(path: string, parts?: readonly PlanPart[]): Promise<PlanConfig> {
  const all = parts ?? (await loadPlanParts());
  const file = readConfigFile(path);
  const { problems } = planSchemaProblems(file.label, file.data, all);
  if (problems.length) throw new ConfigError(problems);
  const raw = file.data as RawPlan;
  const shape = planShapeProblems(file.label, raw, all);
  if (shape.length) throw new ConfigError(shape);
  return normalizePlan(raw, file, all);
}
