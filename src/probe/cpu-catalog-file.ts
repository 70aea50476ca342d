import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { HwqualError } from '../model/errors.ts';
import { parseCpuCatalog, type CpuCatalog } from './cpu-generation.ts';

/** The catalog shipped in fixtures/ (HWQUAL_CPU_CATALOG overrides the path). Read once per process. */
export const CPU_CATALOG_FILE =
  process.env.HWQUAL_CPU_CATALOG ?? resolve(import.meta.dirname, '../../fixtures/cpu-generations.json');

let cached: CpuCatalog | undefined;

export function loadCpuCatalog(path = CPU_CATALOG_FILE): CpuCatalog {
  if (path === CPU_CATALOG_FILE && cached) return cached;
  let catalog: CpuCatalog;
  try {
    catalog = parseCpuCatalog(JSON.parse(readFileSync(path, 'utf8')), path);
  } catch (err) {
    throw new HwqualError('E_CONFIG', `CPU catalog ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (path === CPU_CATALOG_FILE) cached = catalog;
  return catalog;
}
