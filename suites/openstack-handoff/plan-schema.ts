import type { PlanPart } from '../../src/suite-api/plan-part.ts';
import { loadHandoffDir } from './handoff-dir.ts';

/** What the openstack-handoff suite reads of a plan: `settings.openstack` (`hwqual openstack --verify` writes it). */
declare module '../../src/suite-api/index.ts' {
  interface PlanSettings {
    openstack?: {
      /** The folder `hwqual openstack <run>` wrote: handoff.json and one nova-compute-<pool>.conf per pool. */
      dir: string;
      /** Only this pool (default: every pool of handoff.json). */
      pool?: string;
    };
  }
}

const part: PlanPart = {
  suite: 'openstack-handoff',
  settings: {
    openstack: {
      description: "the OpenStack hand-off to verify with Nova's own code on each host (hwqual openstack writes it)",
      type: 'object',
      required: ['dir'],
      additionalProperties: false,
      properties: {
        dir: {
          type: 'string',
          minLength: 1,
          description: 'the folder hwqual openstack wrote: handoff.json and nova-compute-<pool>.conf per pool',
        },
        pool: { type: 'string', minLength: 1, description: 'only this pool (default: every pool)' },
      },
    },
  },
  check({ plan, hosts, at }) {
    if (!plan.suites.includes('openstack-handoff')) return [];
    const s = plan.settings.openstack;
    const where = at.settings('openstack');
    if (!s)
      return [{ path: where, message: 'the openstack-handoff suite needs settings.openstack: { dir: <folder> }' }];
    let pools;
    try {
      pools = loadHandoffDir(s.dir).handoff.pools;
    } catch (err) {
      return [{ path: `${where}/dir`, message: (err as Error).message }];
    }
    if (s.pool && !pools.some((p) => p.pool === s.pool))
      return [
        { path: `${where}/pool`, message: `no pool ${s.pool} in ${s.dir}; its pools: ${pools.map((p) => p.pool)}` },
      ];
    // Every host of a verified pool must be in the run: Nova's answer on one host proves nothing about another.
    const names = new Set(hosts.map((h) => h.name));
    return pools
      .filter((p) => !s.pool || p.pool === s.pool)
      .flatMap((p) => p.hosts.filter((h) => !names.has(h)).map((h) => ({ p, h })))
      .map(({ p, h }) => ({
        path: `${where}/dir`,
        message: `pool ${p.pool} has host ${h}, which the plan does not select (the lab or hosts: filter)`,
      }));
  },
};

export default part;
