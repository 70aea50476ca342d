import { ConfigError, formatAjvErrors } from './errors.ts';
import { normalizeLab } from './lab.ts';
import type { PlanCheckInput, PlanPart, PlanProblem } from './plan-parts.ts';
import { normalizePlan, planSchemaProblems, planShapeProblems, type RawPlan } from './plan.ts';
import { readConfigFile, type RawConfigFile } from './read.ts';
import { knownSuites, loadPlanParts, suiteDirs } from './suite-dirs.ts';
import type { HostConfig, LabConfig, PlanConfig } from './types.ts';
import { schemaValidator } from './validator.ts';

export interface ConfigCheck {
  problems: string[];
  lab?: LabConfig;
  plan?: PlanConfig;
}

/**
 * Everything `hwqual validate` checks, on the parsed files, contacting nothing: both files against their schemas
 * (the plan's composed from the suites' parts), the lab's own rules, then the rules between plan and lab — the
 * suites exist, the plan's host names and selection, severity keys, and each suite's cross-field rules. Every
 * problem at once, `file: /json/pointer message`.
 */
export function checkConfigs(
  labFile: RawConfigFile,
  planFile: RawConfigFile,
  parts: readonly PlanPart[],
  suites: ReadonlyMap<string, string>,
): ConfigCheck {
  const problems: string[] = [];
  let lab: LabConfig | undefined;
  const labSchema = schemaValidator('lab');
  if (!labSchema(labFile.data)) problems.push(...formatAjvErrors(labFile.label, labSchema.errors ?? []));
  else {
    try {
      lab = normalizeLab(labFile.data as never, labFile.path, labFile.label, labFile.sha256);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
  }
  const schema = planSchemaProblems(planFile.label, planFile.data, parts);
  problems.push(...schema.problems);
  if (!isObject(planFile.data)) return { problems };
  try {
    return planRules(planFile, schema, lab, parts, suites, problems);
  } catch (err) {
    // A rule may trip over a value the schema already refused (reported): that is bad input, said once. Without
    // a schema problem it is hwqual's own bug.
    if (schema.problems.length) return { problems, lab };
    throw err;
  }
}

/** The rules that read the plan as typed, after its schema check (its problems already in `problems`). */
function planRules(
  planFile: RawConfigFile,
  schema: { problems: string[]; paths: string[] },
  lab: LabConfig | undefined,
  parts: readonly PlanPart[],
  suites: ReadonlyMap<string, string>,
  problems: string[],
): ConfigCheck {
  const label = planFile.label;
  const raw = planFile.data as RawPlan;
  const shape = planShapeProblems(label, raw, parts);
  problems.push(...shape);
  // The rules below read the plan as typed. Where the schema refused a value they may still see it: the ones that
  // read only such a value stand aside (clean), the others are caught by checkConfigs.
  const clean = (...roots: string[]) => !schema.paths.some((p) => roots.some((r) => p === r || p.startsWith(`${r}/`)));
  const plan = normalizePlan(raw, planFile, parts);
  if (clean('/suites'))
    raw.suites.forEach((s, i) => {
      if (!suites.has(s))
        problems.push(`${label}: /suites/${i} "${s}" is not a suite (known: ${[...suites.keys()].join(', ')})`);
    });
  if (clean('/severity', '/suites'))
    for (const key of Object.keys(raw.severity ?? {}))
      if (!raw.suites.includes(key.split('/')[0]!))
        problems.push(
          `${label}: /severity/${key.replace(/~/g, '~0').replace(/\//g, '~1')} names no suite of this plan ` +
            `(${raw.suites.join(', ')})`,
        );
  if (!lab || !clean('/hosts')) return { problems, lab };
  const hosts = selected(lab, plan, label, problems);
  if (!hosts.length) return { problems, lab };
  const at: PlanCheckInput['at'] = {
    settings: (key) => (raw[key] !== undefined ? `/${key}` : `/settings/${key}`),
    matrix: (axis) => (raw[axis] !== undefined ? `/${axis}` : `/matrix/${axis}`),
    require: (key) => `/require/${key}`,
  };
  for (const part of parts) {
    let found: PlanProblem[];
    try {
      found = part.check?.({ plan, lab, hosts, at }) ?? [];
    } catch (err) {
      if (schema.problems.length) continue; // as above, for one suite's rules
      throw err;
    }
    problems.push(...found.map((p) => `${label}: ${p.path} ${p.message}`));
  }
  return problems.length ? { problems, lab } : { problems, lab, plan };
}

/** The lab's hosts the plan selects; unknown names and an empty selection are problems. */
function selected(lab: LabConfig, plan: PlanConfig, label: string, problems: string[]): HostConfig[] {
  const names = plan.hosts.names;
  const labNames = lab.hosts.map((h) => h.name);
  names?.forEach((n, i) => {
    if (!labNames.includes(n))
      problems.push(`${label}: /hosts/names/${i} "${n}" is not a host of the lab (${labNames.join(', ')})`);
  });
  const hosts = lab.hosts.filter(
    (h) =>
      (!names || names.includes(h.name)) &&
      Object.entries(plan.hosts.labels ?? {}).every(([k, v]) => h.labels[k] === v),
  );
  if (!hosts.length && !names?.some((n) => !labNames.includes(n)))
    problems.push(
      `${label}: /hosts selects no host of the lab (names: ${names?.join(', ') ?? 'any'}, labels: ${JSON.stringify(
        plan.hosts.labels ?? {},
      )})`,
    );
  return hosts;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Read both files and check them (checkConfigs) with every known suite's part: the lab and plan, typed, or a
 * ConfigError with every problem of both files. Contacts no host.
 */
export async function validateConfigs(
  labPath: string,
  planPath: string,
  dirs: readonly string[] = suiteDirs(),
): Promise<{ lab: LabConfig; plan: PlanConfig }> {
  const parts = await loadPlanParts(dirs);
  const files: RawConfigFile[] = [];
  const problems: string[] = [];
  for (const path of [labPath, planPath]) {
    try {
      files.push(readConfigFile(path));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  const r = checkConfigs(files[0]!, files[1]!, parts, knownSuites(dirs));
  if (r.problems.length || !r.lab || !r.plan) throw new ConfigError(r.problems);
  return { lab: r.lab, plan: r.plan };
}
