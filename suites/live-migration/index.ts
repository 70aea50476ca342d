import { defineSuite } from '../../src/suite-api/index.ts';
import { migrateCase } from './migrate-case.ts';
import { migrationSettings } from './settings.ts';

/**
 * Live migration between lab hosts: a matrix of pairs × strategies (settings.migration of the plan). Each case
 * boots the workload guest on the pair's first host, migrates it to the second over the lab network, and checks
 * the guest afterwards (heartbeat, counter, integrity, nothing left behind). See src/vm/migration/.
 */
export default defineSuite({
  name: 'live-migration',
  title: 'Live migration',
  description:
    'Pairs × strategies (precopy, auto-converge, xbzrle, postcopy, multifd): total time, downtime, guest-observed blackout, passes, non-convergence diagnosis, Nova outcome.',
  shard: 'whole',
  facts: [],
  tags: ['migration'],
  cases(host, plan) {
    const s = migrationSettings(plan, plan.hosts ?? [host]);
    return s.pairs
      .filter(([from]) => from === host.name)
      .flatMap(([from, to]) => s.strategies.map((st) => migrateCase(s, from, to, st)));
  },
});
