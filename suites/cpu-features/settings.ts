import type { HostInfo, PlanView, VmDriver } from '../../src/suite-api/index.ts';
import type { AccelChoice } from '../../src/vm/accel.ts';
import { poolName } from './plan-schema.ts';

/** What the plan says to this suite (validated at the edge against plan-schema.ts; typed here). */
export interface CpuPoolSpec {
  name: string;
  /** Hosts whose labels all match; with neither labels nor hosts: every host of the run. */
  labels?: Record<string, string>;
  hosts?: string[];
}

export interface CpuSettings {
  accel: AccelChoice;
  /** Who starts the guests (guest-view) and whose baseline pool-baseline also asks: qemu or libvirt. */
  driver: VmDriver;
  /** Models the plan requires usable on every host (require.cpuModels). */
  requiredModels: string[];
  /** Host flags the plan requires on top of the generation's (require.cpuFlags). */
  requiredFlags: string[];
  /** Models booted for the guest view (matrix.cpuModels), plus max (and host under KVM). */
  guestModels: string[];
  pools: CpuPoolSpec[];
}

export function cpuSettings(plan: PlanView): CpuSettings {
  const raw = plan.settings.cpuPool;
  const list = raw === undefined ? [{ name: 'all' }] : [raw].flat();
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
    guestModels: plan.matrix.cpuModels ?? [],
    pools,
  };
}

/** The pool's hosts among the run's hosts, in run order. */
export function poolMembers(pool: CpuPoolSpec, hosts: readonly HostInfo[]): HostInfo[] {
  return hosts.filter(
    (h) =>
      (!pool.hosts || pool.hosts.includes(h.name)) &&
      Object.entries(pool.labels ?? {}).every(([k, v]) => h.labels[k] === v),
  );
}
