import { resolve } from 'node:path';
import { ConfigError } from './errors.ts';
import { readConfigFile } from './read.ts';
import type { FactGroup, PlanConfig } from './types.ts';
import { validateAgainst } from './validator.ts';

interface RawPlan {
  name: string;
  suites: string[];
  hosts?: { labels?: Record<string, string | number | boolean>; names?: string[] };
  severity?: Record<string, 'blocker' | 'major' | 'minor'>;
  require?: Record<string, unknown>;
  concurrency?: number;
  timeouts?: { case?: number };
  retries?: number;
  retryFailed?: boolean;
  matrix?: Record<string, unknown[]>;
  settings?: Record<string, unknown>;
  images?: unknown[];
  cpuModels?: string[];
  accel?: 'auto' | 'kvm' | 'tcg';
  migration?: Record<string, unknown>;
  facts?: 'all' | 'none' | FactGroup | FactGroup[];
}

export const PLAN_DEFAULTS = { concurrency: 8, caseTimeoutSec: 120, retries: 0 } as const;

export function loadPlan(path: string): PlanConfig {
  const file = readConfigFile(path);
  validateAgainst('plan', file.label, file.data);
  const raw = file.data as RawPlan;
  const problems: string[] = [];
  for (const [key, value] of Object.entries(raw.matrix ?? {})) {
    if (['images', 'cpuModels'].includes(key) && (key === 'images' ? raw.images : raw.cpuModels)) {
      problems.push(`${file.label}: /matrix/${key} is also given at /${key}: give it once`);
    }
    if (!Array.isArray(value)) problems.push(`${file.label}: /matrix/${key} must be array`);
  }
  if (problems.length) throw new ConfigError(problems);
  const matrix: Record<string, unknown[]> = { ...raw.matrix };
  if (raw.images) matrix.images = raw.images;
  if (raw.cpuModels) matrix.cpuModels = raw.cpuModels;
  const settings: Record<string, unknown> = { ...raw.settings };
  if (raw.accel) settings.accel = raw.accel;
  if (raw.migration) settings.migration = raw.migration;
  return {
    file: resolve(path),
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
    settings,
    ...(raw.facts !== undefined && {
      facts: raw.facts === 'all' || raw.facts === 'none' || Array.isArray(raw.facts) ? raw.facts : [raw.facts],
    }),
  };
}
