import type { HostInfo, PlanView, VmDriver } from '../../src/suite-api/index.ts';
import type { AccelChoice } from '../../src/suite-api/vm.ts';
import { modelVendorOf } from '../../src/suite-api/parsers.ts';
import { poolName } from './plan-schema.ts';

/** What the plan says to this suite (validated at the edge against plan-schema.ts; typed here). */
export interface CpuPoolSpec {
  name: string;
  /** Hosts whose labels all match; with neither labels nor hosts: every host of the run. */
  labels?: Record<string, string>;
  hosts?: string[];
  /** A pool hwqual formed itself (no cpuPool in the plan): the hosts of one CPU vendor, and how it was told. */
  formed?: string;
}

export interface CpuSettings {
  accel: AccelChoice;
  /** Who starts the guests (guest-view) and whose baseline pool-baseline also asks: qemu or libvirt. */
  driver: VmDriver;
  /** Models the plan requires usable on every host (require.cpuModels). */
  requiredModels: string[];
  /** Host flags the plan requires on top of the generation's (require.cpuFlags). */
  requiredFlags: string[];
  /** Machine types the plan requires every host's QEMU to offer (require.machineTypes). */
  requiredMachineTypes: string[];
  /** Models booted for the guest view (matrix.cpuModels), plus max (and host under KVM). */
  guestModels: string[];
  /** The plan's pools; `by-vendor` (no cpuPool in the plan): one pool per CPU vendor of the run's hosts. */
  pools: CpuPoolSpec[] | 'by-vendor';
}

export function cpuSettings(plan: PlanView): CpuSettings {
  const raw = plan.settings.cpuPool;
  const list = raw === undefined ? [] : [raw].flat();
  const pools = list.map(
    (p, i): CpuPoolSpec => ({
      name: poolName(p, i),
      ...(p.labels && { labels: Object.fromEntries(Object.entries(p.labels).map(([k, v]) => [k, String(v)])) }),
      ...(p.hosts && { hosts: p.hosts }),
    }),
  );
  return {
    accel: plan.accel,
    driver: plan.driver,
    requiredModels: plan.require.cpuModels ?? [],
    requiredFlags: plan.require.cpuFlags ?? [],
    requiredMachineTypes: plan.require.machineTypes ?? [],
    guestModels: plan.matrix.cpuModels ?? [],
    pools: raw === undefined ? 'by-vendor' : pools,
  };
}

/** How a host's CPU vendor is known before any case runs: its facts (vendor_id), else its `vendor` label. */
function vendorKey(h: HostInfo): { key: string; from: string } {
  const id = h.facts.cpu?.vendor?.trim();
  if (id) return { key: modelVendorOf(id) ?? id.toLowerCase().replace(/[^a-z0-9-]+/g, '-'), from: `vendor_id ${id}` };
  const label = h.labels.vendor?.trim();
  if (label) return { key: label.toLowerCase().replace(/[^a-z0-9-]+/g, '-'), from: `label vendor=${label}` };
  return { key: 'unknown-vendor', from: 'no CPU facts and no vendor label' };
}

/**
 * The default pools (no cpuPool in the plan): the run's hosts grouped by CPU vendor, in run order — a pool that mixes
 * vendors could not live-migrate anyway. Each says how it was formed, for the report.
 */
export function vendorPools(hosts: readonly HostInfo[]): CpuPoolSpec[] {
  const groups = new Map<string, { hosts: string[]; from: Set<string> }>();
  for (const h of hosts) {
    const { key, from } = vendorKey(h);
    const g = groups.get(key) ?? { hosts: [], from: new Set<string>() };
    g.hosts.push(h.name);
    g.from.add(from);
    groups.set(key, g);
  }
  return [...groups].map(([name, g]) => ({
    name,
    hosts: g.hosts,
    formed: `by CPU vendor (the plan names no cpuPool): ${[...g.from].join(', ')}`,
  }));
}

/** The plan's pools, or the ones formed by vendor. */
export function planPools(s: CpuSettings, hosts: readonly HostInfo[]): CpuPoolSpec[] {
  return s.pools === 'by-vendor' ? vendorPools(hosts) : s.pools;
}

/** The pool's hosts among the run's hosts, in run order. */
export function poolMembers(pool: CpuPoolSpec, hosts: readonly HostInfo[]): HostInfo[] {
  return hosts.filter(
    (h) =>
      (!pool.hosts || pool.hosts.includes(h.name)) &&
      Object.entries(pool.labels ?? {}).every(([k, v]) => h.labels[k] === v),
  );
}
