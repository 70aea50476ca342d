import { join, resolve } from 'node:path';
import { normalizeLab } from '../../src/config/lab.ts';
import type { PlanConfig } from '../../src/config/types.ts';
import type { RunResults } from '../../src/model/result.ts';
import { prepareRun } from '../../src/runner/prepare.ts';
import { loadProfile } from '../../src/transport/profile.ts';
import { ReplayTransport } from '../../src/transport/replay.ts';
import { PROJECT_ROOT } from './paths.ts';
import { executeToTemp } from './execute-run.ts';
import { planConfig } from './plan-config.ts';

export const SHIPPED_PROFILES = resolve(PROJECT_ROOT, 'fixtures/hosts');

/**
 * Run suites through the real runner on replayed hosts: `hosts` maps a lab host name to a profile folder (a bare name
 * is a folder of fixtures/hosts). Each host carries its profile's labels, as `hwqual run --replay DIR` gives them.
 * Returns the results and the report folder.
 */
export async function runReplayed(
  hosts: Record<string, string>,
  over: Partial<PlanConfig> & { grep?: RegExp } = {},
): Promise<{ results: RunResults; out: string }> {
  const dirOf = (p: string) => (p.includes('/') ? p : join(SHIPPED_PROFILES, p));
  const labels = Object.fromEntries(
    await Promise.all(
      Object.entries(hosts).map(async ([name, p]) => [name, (await loadProfile(dirOf(p))).meta.labels ?? {}] as const),
    ),
  );
  const lab = normalizeLab(
    { hosts: Object.keys(hosts).map((name) => ({ name, address: `replay:${name}`, labels: labels[name] })) },
    '/tmp/lab.yaml',
    'lab.yaml',
    'x'.repeat(64),
  );
  const bindings = await Promise.all(
    lab.hosts.map(async (config) => {
      const dir = dirOf(hosts[config.name]);
      const transport = await ReplayTransport.open(dir, { host: config.name });
      return { config, transport, replay: { from: dir, origin: transport.origin } };
    }),
  );
  const { grep, ...planOver } = over;
  const plan = planConfig({
    name: 'replayed',
    suites: ['host-os', 'server-inventory', 'cpu-features'],
    concurrency: 8,
    timeouts: { case: 120 },
    ...planOver,
  });
  const prepared = await prepareRun({ lab, plan, bindings, ...(grep && { filter: { grep } }) });
  const { results, out } = await executeToTemp(lab, plan, prepared, 'hwqual-replayed-');
  return { results, out };
}
