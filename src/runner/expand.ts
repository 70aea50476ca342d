import type { PlanConfig } from '../config/types.ts';
import type { HostInfo, PlanView } from '../suite-api/types.ts';
import { HwqualError } from '../model/errors.ts';
import type { LoadedSuite, PlannedCase } from './plan-types.ts';
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

/** Plan × hosts → cases, requirement gating decided. Pure: no I/O. */
export function expandPlan({ plan, suites, hosts }: ExpandInput): PlannedCase[] {
  const view: PlanView = { ...planView(plan), hosts: hosts.map((h) => h.info) };
  const out: PlannedCase[] = [];
  const seen = new Set<string>();
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
      for (const def of defs) {
        const params = def.params ?? {};
        const id = caseId(suite.name, def.id, params, host.name);
        if (seen.has(id)) throw new HwqualError('E_INTERNAL', `suite ${suite.name} lists case ${id} twice`);
        seen.add(id);
        const severity =
          plan.severity[`${suite.name}/${def.id}`] ??
          plan.severity[suite.name] ??
          def.severity ??
          suite.def.severity ??
          'major';
        const planned: PlannedCase = {
          id,
          suite: suite.name,
          def,
          host,
          severity,
          params,
          tags: [...new Set([...(suite.def.tags ?? []), ...(def.tags ?? [])])],
        };
        if (error) planned.hostError = error;
        else {
          const why = unmetRequirement(host, def.requires);
          if (why) planned.skipReason = why;
        }
        out.push(planned);
      }
    }
  }
  return out;
}

export interface CaseFilter {
  grep?: RegExp;
  grepInvert?: RegExp;
  tags?: string[];
}

/** --grep matches the case id or title; --tag keeps cases with any of the tags. */
export function filterCases(cases: PlannedCase[], f: CaseFilter): PlannedCase[] {
  return cases.filter((c) => {
    const text = `${c.id} ${c.def.title}`;
    if (f.grep && !f.grep.test(text)) return false;
    if (f.grepInvert?.test(text)) return false;
    if (f.tags?.length && !f.tags.some((t) => c.tags.includes(t))) return false;
    return true;
  });
}
