import type { PlanConfig } from '../../src/config/types.ts';

/**
 * A validated plan as the runner gets it (what loadPlan returns), with `over` on top: for tests that call the runner.
 */
export function planConfig(over: Partial<PlanConfig> = {}): PlanConfig {
  return {
    file: '/tmp/plan.yaml',
    sha256: 'y'.repeat(64),
    name: 'test-plan',
    suites: [],
    hosts: {},
    severity: {},
    require: {},
    concurrency: 2,
    timeouts: { case: 30 },
    retries: 0,
    retryFailed: false,
    matrix: {},
    settings: {},
    ...over,
  };
}
