/** Hop metrics migrate-case.ts records under names of its own; every other numeric hop metric goes in snake_case. */
export const NAMED_HOP_METRICS = new Set([
  'totalMs',
  'setupMs',
  'downtimeMs',
  'blackoutMs',
  'blackoutResolutionMs',
  'transferredBytes',
  'passes',
  'throttlePct',
  'measuredDirtyMiBps',
]);

/** `xbzrleCacheMissRate` → `xbzrle_cache_miss_rate` (the case-metric spelling: results.json, JUnit properties). */
export function snakeCase(k: string): string {
  return k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}
