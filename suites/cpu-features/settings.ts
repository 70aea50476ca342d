import type { HostInfo, PlanView } from '../../src/suite-api/index.ts';
import type { AccelChoice } from '../../src/suite-api/vm.ts';

/** What the plan says to this suite (validated here once; the cases trust it). */
export interface CpuPoolSpec {
  name: string;
  /** Hosts whose labels all match; with neither labels nor hosts: every host of the run. */
  labels?: Record<string, string>;
  hosts?: string[];
}

export interface CpuSettings {
  accel: AccelChoice;
  /** Models the plan requires usable on every host (require.cpuModels). */
  requiredModels: string[];
  /** Host flags the plan requires on top of the generation's (require.cpuFlags). */
  requiredFlags: string[];
  /** Models booted for the guest view (matrix.cpuModels), plus max (and host under KVM). */
  guestModels: string[];
  pools: CpuPoolSpec[];
}

const strings = (v: unknown, where: string): string[] => {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new Error(`cpu-features: ${where} must be a list of strings`);
  return v as string[];
};

export function cpuSettings(plan: PlanView): CpuSettings {
  const accel = (plan.settings.accel as AccelChoice | undefined) ?? 'auto';
  const raw = plan.settings.cpuPool ?? plan.settings.cpuPools;
  const list = raw === undefined ? [{ name: 'all' }] : Array.isArray(raw) ? raw : [raw];
  const pools = list.map((p, i): CpuPoolSpec => {
    const o = (p ?? {}) as Record<string, unknown>;
    return {
      name:
        typeof o.name === 'string'
          ? o.name
          : o.labels
            ? Object.values(o.labels as Record<string, string>).join('-')
            : `pool${i + 1}`,
      ...(o.labels !== undefined && {
        labels: Object.fromEntries(Object.entries(o.labels as object).map(([k, v]) => [k, String(v)])),
      }),
      ...(o.hosts !== undefined && { hosts: strings(o.hosts, 'settings.cpuPool.hosts') }),
    };
  });
  return {
    accel,
    requiredModels: strings(plan.require.cpuModels, 'require.cpuModels'),
    requiredFlags: strings(plan.require.cpuFlags, 'require.cpuFlags'),
    guestModels: strings(plan.matrix.cpuModels, 'matrix.cpuModels'),
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
