/**
 * The light door: what a suite's `plan-schema.ts` (its PlanPart and cross-field rules) and the modules it imports
 * may use. Every hwqual command that reads a plan loads every suite's part first, before any host is contacted, so
 * this barrel re-exports only small pure modules — the full barrels (index.ts, migration.ts) cost ~200 and ~290 ms
 * of start-up each under tsx. test/unit/plan-part-imports.test.ts holds every part to it.
 */
export type { JsonSchema, PlanCheckInput, PlanPart, PlanProblem } from '../config/plan-parts.ts';
export type { Sample } from '../model/result.ts';
export { HwqualError } from '../model/errors.ts';
export { byDirection } from '../model/samples.ts';
export { distribution, isMaximum, STATISTICS, type Statistic } from '../model/percentiles.ts';
export { CC_FEATURES, type CcFeature } from '../probe/cc-features.ts';
export { BUILT_IN_IMAGES } from '../vm/images/recipes.ts';
export { STRATEGIES, type Strategy } from '../migration/strategy.ts';
export type { NovaSettings } from '../migration/nova.ts';
export { unmappableForLibvirt } from '../migration/libvirt/flags.ts';
export { fragmentFile, parseHandoff, type Handoff } from '../openstack/index.ts';
