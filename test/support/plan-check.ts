import { join } from 'node:path';
import { stringify } from 'yaml';
import { checkConfigs, knownSuites, loadPlanParts, suiteDirs } from '../../src/config/index.ts';
import type { RawConfigFile } from '../../src/config/read.ts';
import type { PlanView } from '../../src/suite-api/index.ts';

/** The built-in suites and the test fixtures' (HWQUAL_SUITES_PATH=test/fixtures/suites). */
export const TEST_SUITE_DIRS = suiteDirs(join(import.meta.dirname, '../fixtures/suites'));

const file = (label: string, data: unknown): RawConfigFile => ({
  path: `/nowhere/${label}`,
  label,
  sha256: '0'.repeat(64),
  data,
});

/** A lab of SSH hosts with these names (nothing listens: validation contacts no host). */
export function labOf(...names: string[]): Record<string, unknown> {
  return { hosts: names.map((name, i) => ({ name, address: `192.0.2.${i + 1}` })) };
}

/**
 * Every problem `hwqual validate` finds in this plan (parsed data) against this lab, in-process: the same function
 * the CLI calls, so a test of a plan key needs no file, no CLI and no host.
 */
export async function planProblems(
  plan: Record<string, unknown>,
  lab: Record<string, unknown> = labOf('node-a', 'node-b'),
): Promise<string[]> {
  const parts = await loadPlanParts(TEST_SUITE_DIRS);
  return checkConfigs(file('lab.yaml', lab), file('plan.yaml', plan), parts, knownSuites(TEST_SUITE_DIRS)).problems;
}

/** The YAML a user would write for this plan (for messages). */
export const yamlOf = (data: unknown) => stringify(data);

/** A PlanView as the runner gives suites (accel and driver resolved from settings, as planView does). */
export const planViewOf = (over: Partial<PlanView>): PlanView => ({
  name: 'p',
  require: {},
  matrix: {},
  settings: {},
  ...over,
  accel: over.accel ?? over.settings?.accel ?? 'auto',
  driver: over.driver ?? over.settings?.driver ?? 'qemu',
});
