import { defineSuite } from '../../src/suite-api/index.ts';
import { guestLuksMigrationCase } from './guest-luks-case.ts';
import { migrateCase } from './migrate-case.ts';
import { refusalCase, refusalPairs } from './refusal-case.ts';
import { migrationSettings } from './settings.ts';
import { wrongKeyCase } from './wrong-key-case.ts';

/**
 * Live migration between lab hosts: a matrix of pairs × strategies (settings.migration of the plan). Each case
 * boots the workload guest on the pair's first host, migrates it to the second over the lab network, and checks
 * the guest afterwards (heartbeat, counter, integrity, nothing left behind). With `disk:` the guest has a data disk
 * on shared storage (encrypted with `luks`), and per pair the variants `migrate-wrong-key` (the destination has the
 * wrong key and must refuse) and `migrate-guest-luks` (a Debian guest's own LUKS2 volume under write load). Pairs
 * whose QEMU versions differ also get machine-refusal (refusal-case.ts). See src/migration/.
 */
export default defineSuite({
  name: 'live-migration',
  title: 'Live migration',
  description:
    'Pairs × strategies (precopy, auto-converge, xbzrle, postcopy, multifd): total time, downtime, guest-observed ' +
    'blackout, passes, non-convergence diagnosis, Nova outcome; the pool machine type, and machine-refusal between ' +
    'QEMU versions; encrypted data disks on shared storage.',
  shard: 'whole',
  facts: ['cpu', 'virt'],
  tags: ['migration'],
  cases(host, plan) {
    const s = migrationSettings(plan, plan.hosts ?? [host]);
    const migrations = s.pairs
      .filter(([from]) => from === host.name)
      .flatMap(([from, to]) => [
        ...s.strategies.map((st) => migrateCase(s, from, to, st)),
        ...(s.disk?.wrongKey ? [wrongKeyCase(s, from, to)] : []),
        ...(s.disk?.guestLuks ? [guestLuksMigrationCase(s, from, to)] : []),
      ]);
    const refusals = refusalPairs(s.pairs, plan.hosts ?? [host])
      .filter(([from]) => from === host.name)
      .map(([from, to]) => refusalCase(s, from, to));
    return [...migrations, ...refusals];
  },
});
