import type { JsonSchema, PlanPart, PlanProblem } from '../../src/suite-api/plan-part.ts';

/** What the cpu-features suite reads of a plan (schema validated before any host is contacted; types for the suite). */
declare module '../../src/suite-api/index.ts' {
  interface PlanRequire {
    /** QEMU CPU models that must be usable on every host. */
    cpuModels?: string[];
    /** Host CPU flags required on top of the generation's own. */
    cpuFlags?: string[];
    /** Machine types every host's QEMU must offer (query-machines, aliases included), e.g. pc-q35-7.2. */
    machineTypes?: string[];
  }
  interface PlanSettings {
    /** The pool(s) whose common CPU model and machine type are computed (default: one pool per CPU vendor). */
    cpuPool?: CpuPoolSetting | CpuPoolSetting[];
  }
}

/** One pool: hosts whose labels all match and/or that are named; with neither, every host of the run. */
export interface CpuPoolSetting {
  name?: string;
  labels?: Record<string, string | number | boolean>;
  hosts?: string[];
}

const pool: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' },
    labels: { type: 'object', minProperties: 1, additionalProperties: { type: ['string', 'number', 'boolean'] } },
    hosts: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^[a-z0-9-]+$' } },
  },
};

const part: PlanPart = {
  suite: 'cpu-features',
  require: {
    cpuModels: {
      description: 'QEMU CPU models that must be usable on every host',
      type: 'array',
      items: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' },
    },
    cpuFlags: {
      description: 'host CPU flags (/proc/cpuinfo names) required on top of the generation’s',
      type: 'array',
      items: { type: 'string', pattern: '^[a-z0-9_.-]+$' },
    },
    machineTypes: {
      description: 'machine types every host’s QEMU must offer (query-machines, aliases included), e.g. pc-q35-7.2',
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]*$' },
    },
  },
  settings: {
    cpuPool: {
      description: 'a pool { name, labels | hosts } or a list of them; default: one pool per CPU vendor of the run',
      anyOf: [pool, { type: 'array', minItems: 1, items: pool }],
    },
  },
  check({ plan, hosts, at }) {
    const raw = plan.settings.cpuPool;
    if (raw === undefined) return [];
    const list = Array.isArray(raw) ? raw : [raw];
    const base = at.settings('cpuPool');
    const names = hosts.map((h) => h.name);
    const problems: PlanProblem[] = [];
    const seen = new Map<string, number>();
    list.forEach((p, i) => {
      const path = Array.isArray(raw) ? `${base}/${i}` : base;
      const before = problems.length;
      p.hosts?.forEach((h, j) => {
        if (!names.includes(h))
          problems.push({
            path: `${path}/hosts/${j}`,
            message: `"${h}" is not a host the plan selects (${names.join(', ')})`,
          });
      });
      const members = hosts.filter(
        (h) =>
          (!p.hosts || p.hosts.includes(h.name)) &&
          Object.entries(p.labels ?? {}).every(([k, v]) => h.labels[k] === String(v)),
      );
      if (!members.length && problems.length === before)
        problems.push({ path, message: 'selects no host of the run (labels and hosts must all match)' });
      const name = poolName(p, i);
      if (seen.has(name)) problems.push({ path, message: `pool name "${name}" is also pool ${seen.get(name)}'s` });
      seen.set(name, i);
    });
    return problems;
  },
};

/** A pool's name: its own, else its label values joined, else pool<N>. */
export function poolName(p: CpuPoolSetting, i: number): string {
  return p.name ?? (p.labels ? Object.values(p.labels).map(String).join('-') : `pool${i + 1}`);
}

export default part;
