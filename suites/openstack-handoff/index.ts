import { defineSuite } from '../../src/suite-api/index.ts';
import { novaConfigCase } from './config-case.ts';
import { novaGuestCase } from './guest-case.ts';
import { loadHandoffDir } from './handoff-dir.ts';
import { novaTraitsCase } from './traits-case.ts';

/**
 * OpenStack hand-off: the Nova configuration `hwqual openstack` wrote for each CPU pool, proven with Nova's own code
 * on each host of the pool against that host's libvirt (docs/openstack-handoff.md). `hwqual openstack <run> --verify
 * --lab <lab>` builds the plan; settings.openstack names the folder.
 */
export default defineSuite({
  name: 'openstack-handoff',
  title: 'OpenStack hand-off proven with Nova',
  description:
    "Nova's own start-up check of the pool's nova-compute.conf and the CPU traits Nova reports, on each host of the " +
    "pool, against what hwqual wrote; a guest with Nova's CPU for each flavor boots and live-migrates across the pool.",
  severity: 'blocker',
  // It reads the hand-off folder, not the host's facts.
  facts: [],
  tags: ['openstack'],
  // nova-guest spans the pool's hosts (a migration to the second and back).
  shard: 'whole',
  cases(host, plan) {
    const s = plan.settings.openstack;
    if (!s) throw new Error('openstack-handoff: settings.openstack is required: { dir: <hwqual openstack folder> }');
    const { handoff, fragments } = loadHandoffDir(s.dir);
    return handoff.pools
      .filter((p) => p.hosts.includes(host.name) && (!s.pool || p.pool === s.pool))
      .flatMap((p) => [
        novaConfigCase(p, fragments[p.pool]!),
        novaTraitsCase(p, fragments[p.pool]!),
        ...(p.hosts[0] === host.name ? [novaGuestCase(p, fragments[p.pool]!)] : []),
      ]);
  },
});
