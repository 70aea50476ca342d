import type { PlanSettings, PlanView } from '../../src/suite-api/index.ts';

/** `settings.drift` of the plan: schema and types in plan-schema.ts, validated before any host is contacted. */
export type DriftSettings = NonNullable<PlanSettings['drift']>;

/** The validated block; a plan of the drift suite without it is a config error (the schema cannot require it). */
export function driftSettings(plan: PlanView): DriftSettings {
  const drift = plan.settings.drift;
  if (!drift) throw new Error('drift: settings.drift is required: { qualified: <run folder or results.json> }');
  return drift;
}
