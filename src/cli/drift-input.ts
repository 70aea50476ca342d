import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadLab, loadPlan } from '../config/index.ts';
import type { LabConfig, PlanConfig } from '../config/types.ts';
import { loadQualified, type QualifiedRun } from '../drift/index.ts';
import type { HostBinding } from '../runner/hosts.ts';
import { UsageExit } from './common.ts';

export interface DriftCliOptions {
  qualified: string;
  lab: string;
  plan?: string;
  hosts?: string;
  replay?: string;
  out: string;
  shard?: string;
  timings?: boolean;
}

export interface DriftInput {
  q: QualifiedRun;
  lab: LabConfig;
  plan: PlanConfig;
  bindings?: HostBinding[];
}

/**
 * Everything `hwqual drift` checks before any host is contacted (bad input throws E_CONFIG / UsageExit → exit 2):
 * the qualified run, the lab, `--plan` against the run's plan hash, `--hosts`; then the drift plan — the `drift`
 * suite on exactly the hosts checked (so the run plans what it runs), every fact gathered.
 */
export async function driftInput(o: DriftCliOptions, preset: { lab?: LabConfig; bindings?: HostBinding[] } = {}) {
  const q = loadQualified(o.qualified);
  if (q.onlyDrift) throw new UsageExit(`--qualified: ${q.file} is a drift run, not a qualification`);
  const lab = preset.lab ?? loadLab(o.lab);
  const names = hostNames(o, lab);
  const sharedKernel = labInABoxRoots(lab.file);
  const plan: PlanConfig = {
    file: q.file,
    sha256: q.sha256,
    name: `drift since ${q.run.plan}`,
    suites: ['drift'],
    hosts: { names },
    severity: {},
    require: {},
    concurrency: 64,
    timeouts: { case: 60 },
    retries: 0,
    retryFailed: false,
    matrix: {},
    settings: {
      drift: {
        qualified: q.file,
        rerun: { lab: o.lab, plan: await rerunPlan(o, q) },
        ...(sharedKernel && { sharedKernel }),
      },
    },
    facts: 'all',
  };
  const bindings =
    preset.bindings ??
    (o.replay ? await (await import('./replay-option.ts')).replayBindings(o.replay, lab, plan) : undefined);
  return { q, lab, plan, bindings } satisfies DriftInput;
}

/** --hosts; else the hosts --replay NAME=DIR names (a replayed check touches no live host); else every lab host. */
function hostNames(o: DriftCliOptions, lab: LabConfig): string[] {
  const split = (v: string) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const all = lab.hosts.map((h) => h.name);
  if (o.hosts !== undefined) {
    const names = split(o.hosts);
    const unknown = names.filter((n) => !all.includes(n));
    if (!names.length || unknown.length)
      throw new UsageExit(
        `--hosts: ${unknown.length ? `no host ${unknown.join(', ')} in` : 'name at least one host of'} ${lab.file} ` +
          `(hosts: ${all.join(', ')})`,
      );
    return names;
  }
  const replayed = o.replay ? split(o.replay).map((i) => /^([a-z0-9-]+)=/.exec(i)?.[1]) : [];
  if (replayed.length && replayed.every((n) => n !== undefined)) return replayed as string[];
  return all;
}

/**
 * --plan when given (its hash must be the qualified run's); else the `--plan` the qualified run was started with, if
 * that file (from here) is still that plan; else a placeholder naming the run's plan and its hash.
 */
async function rerunPlan(o: DriftCliOptions, q: QualifiedRun): Promise<string> {
  const want = q.run.planSha256;
  if (o.plan !== undefined) {
    const got = (await loadPlan(o.plan)).sha256;
    if (got !== want)
      throw new UsageExit(
        `--plan ${o.plan} is not the plan of the qualified run: its sha256 is ${got}, the run's plan ` +
          `(${q.run.planFile}) had ${want}; a re-run with it would not re-run what was qualified`,
      );
    return o.plan;
  }
  const { argv, planFile } = q.run;
  const i = argv.indexOf('--plan');
  const given = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--plan='))?.slice('--plan='.length);
  if (given && existsSync(given) && sha256(readFileSync(given)) === want) return given;
  return `<the plan of run ${dirname(q.file)}: ${planFile}, sha256 ${want.slice(0, 12)}…>`;
}

/**
 * A lab-in-a-box (`hwqual lab up` writes state.json next to lab.yaml): its hosts share this machine's kernel, each
 * with its root (the machine's, or its own). Read defensively: anything else is not a lab-in-a-box.
 */
export function labInABoxRoots(labFile: string): Record<string, string> | undefined {
  let state: { labYaml?: unknown; hosts?: unknown };
  try {
    state = JSON.parse(readFileSync(join(dirname(labFile), 'state.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof state?.labYaml !== 'string' || resolve(state.labYaml) !== resolve(labFile)) return undefined;
  if (!Array.isArray(state.hosts)) return undefined;
  const roots: Record<string, string> = {};
  for (const h of state.hosts as Array<{ name?: unknown; root?: unknown }>) {
    if (typeof h?.name !== 'string') continue;
    roots[h.name] = rootText(h.root);
  }
  return Object.keys(roots).length ? roots : undefined;
}

function rootText(root: unknown): string {
  if (typeof root === 'string') return `its own root ${root}`;
  if (root && typeof root === 'object') {
    const r = root as Record<string, unknown>;
    const name = [r.release, r.os, r.path, r.dir].find((v) => typeof v === 'string');
    return `its own root ${name ?? JSON.stringify(root)}`;
  }
  return "this machine's root";
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
