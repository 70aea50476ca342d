import type { PlanConfig } from '../config/types.ts';
import type { CaseDef, HostInfo, PlanView } from '../suite-api/types.ts';
import { HwqualError } from '../model/errors.ts';
import type { LoadedSuite, PlannedCase } from './plan-types.ts';
import { PlannedList, type CaseShared, type PlanGroup } from './planned-list.ts';
import { unmetRequirement } from './requirements.ts';

/** What suites see of the plan: validated and typed (src/config), accel and driver resolved to their defaults. */
export function planView(plan: PlanConfig): PlanView {
  return {
    name: plan.name,
    require: plan.require,
    matrix: plan.matrix,
    settings: plan.settings,
    accel: plan.settings.accel ?? 'auto',
    driver: plan.settings.driver ?? 'qemu',
  };
}

export function caseId(suite: string, id: string, params: Record<string, string>, host: string): string {
  const p = Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${suite}/${id}${p ? `[${p}]` : ''}@${host}`;
}

export interface ExpandInput {
  plan: PlanConfig;
  suites: LoadedSuite[];
  hosts: Array<{ info: HostInfo; error?: string }>;
}

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** Plan × hosts → cases, requirement gating decided. Pure: no I/O. (expandPlanList without the compact form.) */
export function expandPlan(input: ExpandInput): PlannedCase[] {
  return [...expandPlanList(input)];
}

/**
 * Plan × hosts → the planned cases as a PlannedList (planned-list.ts): per suite × host group the suite's case defs,
 * what every host's copy of a case shares (severity, tags, params, id prefix), requirement skips by index. A case
 * id listed twice is E_INTERNAL. Pure: no I/O.
 */
export function expandPlanList({ plan, suites, hosts }: ExpandInput): PlannedList {
  const view: PlanView = { ...planView(plan), hosts: hosts.map((h) => h.info) };
  const groups: PlanGroup[] = [];
  const shared = new Map<CaseDef, CaseShared>();
  const skips = new Map<number, string>();
  const seen = new Set<string>();
  let n = 0;
  for (const suite of suites) {
    for (const { info: host, error } of hosts) {
      let defs;
      try {
        defs = suite.def.cases(host, view);
      } catch (err) {
        throw new HwqualError(
          'E_INTERNAL',
          `suite ${suite.name} could not list its cases for ${host.name}: ${(err as Error).message}`,
          { cause: err },
        );
      }
      groups.push({ suite, host, defs, start: n, ...(error && { hostError: error }) });
      for (const def of defs) {
        let s = shared.get(def);
        if (!s) {
          const params = def.params ?? NO_PARAMS;
          s = {
            severity:
              plan.severity[`${suite.name}/${def.id}`] ??
              plan.severity[suite.name] ??
              def.severity ??
              suite.def.severity ??
              'major',
            tags: [...new Set([...(suite.def.tags ?? []), ...(def.tags ?? [])])],
            params,
            prefix: caseId(suite.name, def.id, params, '').slice(0, -1),
          };
          shared.set(def, s);
        }
        const id = `${s.prefix}@${host.name}`;
        if (seen.has(id)) throw new HwqualError('E_INTERNAL', `suite ${suite.name} lists case ${id} twice`);
        seen.add(id);
        if (!error) {
          const why = unmetRequirement(host, def.requires);
          if (why) skips.set(n, why);
        }
        n++;
      }
    }
  }
  return new PlannedList(groups, shared, skips, n);
}

export interface CaseFilter {
  grep?: RegExp;
  grepInvert?: RegExp;
  tags?: string[];
}

/** --grep matches the case id or title; --tag keeps cases with any of the tags. */
export function filterCases(cases: PlannedCase[], f: CaseFilter): PlannedCase[];
export function filterCases(cases: PlannedList, f: CaseFilter): PlannedList;
export function filterCases(cases: PlannedCase[] | PlannedList, f: CaseFilter): PlannedCase[] | PlannedList {
  if (!f.grep && !f.grepInvert && !f.tags?.length) return cases; // no filter: not a case made to decide
  const keep = (c: PlannedCase) => {
    const text = `${c.id} ${c.def.title}`;
    if (f.grep && !f.grep.test(text)) return false;
    if (f.grepInvert?.test(text)) return false;
    if (f.tags?.length && !f.tags.some((t) => c.tags.includes(t))) return false;
    return true;
  };
  return Array.isArray(cases) ? cases.filter(keep) : cases.filter(keep);
}
