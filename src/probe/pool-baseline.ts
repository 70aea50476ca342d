import type { QemuModelInfo } from './cpu-generation.ts';
import { poolMachines, type DeprecatedMachine } from './pool-machines.ts';
import { sameHardwareRegressions, type Regression } from './pool-regressions.ts';
import { modelVendorOf, rankModels, type Ranking } from './pool-rank.ts';
import { newestMachine, usableNamedModels, type CpuModelDef } from './qmp-cpu.ts';

export { sameHardwareRegressions, type Regression };

/**
 * The CPU baseline of a pool of hosts: the richest named CPU model of the pool's CPU vendor every host can run (the
 * rule is in pool-rank.ts), the features every host has beyond it (what `virsh hypervisor-cpu-baseline` adds as
 * `+feature`), what each host gives up under it, the newest q35 and i440fx machine types every host's QEMU offers, and
 * models that stop working when the same hardware gets a newer QEMU. x86 QEMU has no baseline command
 * (query-cpu-model-baseline is s390x only), so it is computed here from each host's query-cpu-definitions and the
 * models' static expansions. Pure: data in, data out.
 */
export interface PoolHost {
  host: string;
  /** `7.2.0`; undefined when the host's QEMU did not say (replayed dumps without query-version). */
  qemuVersion?: string;
  definitions: CpuModelDef[];
  /** query-machines names; undefined when not recorded. */
  machines?: string[];
  /** The machine types query-machines marks deprecated. */
  deprecatedMachines?: string[];
  /** The CPU's identity: its vendor picks the candidate models; the rest finds hosts with the same hardware. */
  cpu?: { vendor?: string; family?: number; model?: number; stepping?: number; modelName?: string };
  /** What the accelerator can give a guest on this host: the `host` (KVM) or `max` (TCG) static expansion. */
  accelFeatures?: Expansion;
}

/** A model's static expansion (canonical feature names) and where it was taken from. */
export interface Expansion {
  features: string[];
  from: string;
}
/** The expansion of `model` as host `host`'s QEMU has it (its own, or a stand-in the caller labelled). */
export type ExpansionLookup = (host: string, model: string) => Expansion | undefined;

export interface PoolHostRow {
  host: string;
  qemuVersion: string;
  /** How many named models this host can run (all vendors). */
  usableModels: number;
  /** The richest model of its own CPU vendor this host alone can run. */
  bestModel?: string;
  /** Features of bestModel that the baseline model lacks. */
  lost: string[];
  /** Models of its vendor it can run that no expansion describes: not ranked, so `lost` may understate. */
  unranked?: string[];
  /** Newest q35 / i440fx machine type of this host's QEMU (`none`); undefined when query-machines was not recorded. */
  newestQ35?: string;
  newestI440fx?: string;
}

export interface PoolBaseline {
  hosts: string[];
  /** The catalog vendor whose models were candidates (`amd`, `intel`, `hygon`; `qemu` = QEMU's generic models). */
  vendor?: string;
  model?: string;
  modelFeatures?: number;
  /** Where the baseline model's expansion came from. */
  expansionFrom?: string;
  /** Features every host's accelerator gives beyond the model (checked against each host's expansion). */
  extraFeatures?: string[];
  /** Why extraFeatures is missing. */
  extraFeaturesUnknown?: string;
  /** What an operator copies into a CPU model config: `EPYC-v2,+xsaves,+…` (just the model when extras are unknown). */
  recommendation?: string;
  rows: PoolHostRow[];
  /** Newest q35 machine type every host offers; undefined when a host did not record query-machines. */
  machineType?: string;
  /** Newest i440fx machine type every host offers. */
  machineTypeI440fx?: string;
  machineNote: string;
  /** Chosen machine types some host's QEMU marks deprecated. */
  deprecatedMachines: DeprecatedMachine[];
  regressions: Regression[];
  /** Candidates usable everywhere that no expansion describes (not ranked). */
  unranked: string[];
  /** Candidates usable everywhere whose features are a strict subset of another candidate's (never chosen). */
  dominated: string[];
  /**
   * Every candidate usable on every host with an expansion, richest first: the model, then the ones to fall back to
   * when a consumer refuses it (the OpenStack hand-off: a model libvirt finds incompatible with a host's CPU).
   */
  fallbacks?: string[];
  /** Findings about the pool: no model every host can run, mixed CPU vendors. */
  problems: string[];
  /** What could not be judged for want of data (a lab/data problem, not a finding), naming the host. */
  missing: string[];
}

const label = (v: string | undefined) => v ?? 'not recorded';

export function computePoolBaseline(
  hosts: readonly PoolHost[],
  expansion: ExpansionLookup,
  lines: Record<string, QemuModelInfo> = {},
): PoolBaseline {
  const names = hosts.map((h) => h.host);
  const usable = new Map(hosts.map((h) => [h.host, usableNamedModels(h.definitions)]));
  const common = (usable.get(names[0]) ?? []).filter((m) => hosts.every((h) => usable.get(h.host)!.includes(m)));
  const problems: string[] = [];
  const missing: string[] = [];
  if (!hosts.length) problems.push('the pool has no host');

  const { vendor, vendorProblem, vendorMissing } = poolVendor(hosts);
  if (vendorProblem) problems.push(vendorProblem);
  if (vendorMissing) missing.push(vendorMissing);

  const poolExpansion = (model: string) => hosts.map((h) => expansion(h.host, model)).find(Boolean);
  const rank = (models: readonly string[], v: string, lookup: (m: string) => Expansion | undefined) =>
    rankModels(
      models.map((model) => {
        const e = lookup(model);
        return { model, e, features: e?.features };
      }),
      v,
      lines,
    );
  const pool: Ranking<{ model: string; e?: Expansion }> | undefined = vendor
    ? rank(common, vendor, poolExpansion)
    : undefined;
  const base = pool?.ranked[0];
  if (hosts.length && vendor && !base) {
    if (!common.length) problems.push('no named CPU model is usable on every host of the pool');
    else if (pool?.unranked.length)
      missing.push(
        `no static expansion describes the ${vendor} models every host can run (${pool.unranked.join(', ')})`,
      );
    else
      problems.push(`no ${vendor} CPU model is usable on every host of the pool (usable on all: ${common.join(', ')})`);
  }

  const extras = base?.e ? extraFeatures(hosts, base.e.features) : undefined;
  const rows = hosts.map((h): PoolHostRow => {
    const own = modelVendorOf(h.cpu?.vendor);
    const mine = own ? rank(usable.get(h.host)!, own, (m) => expansion(h.host, m)) : undefined;
    const best = mine?.ranked[0];
    const baseSet = new Set(base?.e?.features ?? []);
    return {
      host: h.host,
      qemuVersion: label(h.qemuVersion),
      usableModels: usable.get(h.host)!.length,
      ...(best && { bestModel: best.model }),
      lost: best?.e && base?.e ? best.e.features.filter((f) => !baseSet.has(f)) : [],
      ...(mine?.unranked.length && { unranked: mine.unranked }),
      ...(h.machines && {
        newestQ35: newestMachine(h.machines, 'q35') ?? 'none',
        newestI440fx: newestMachine(h.machines, 'i440fx') ?? 'none',
      }),
    };
  });
  const machines = poolMachines(hosts);

  return {
    hosts: names,
    ...(pool && { vendor: pool.candidatesOf }),
    ...(base && { model: base.model }),
    ...(base?.e && { modelFeatures: base.e.features.length, expansionFrom: base.e.from }),
    ...(extras && 'features' in extras && { extraFeatures: extras.features }),
    ...(extras && 'unknown' in extras && { extraFeaturesUnknown: extras.unknown }),
    ...(base && {
      recommendation: [base.model, ...(extras && 'features' in extras ? extras.features.map((f) => `+${f}`) : [])].join(
        ',',
      ),
    }),
    rows,
    ...(machines.q35 && { machineType: machines.q35 }),
    ...(machines.i440fx && { machineTypeI440fx: machines.i440fx }),
    machineNote: machines.note,
    deprecatedMachines: machines.deprecated,
    regressions: sameHardwareRegressions(hosts),
    unranked: pool?.unranked ?? [],
    dominated: pool?.dominated ?? [],
    ...(pool?.byRichness.length && { fallbacks: pool.byRichness }),
    problems,
    missing,
  };
}

/** The one CPU vendor of the pool; a mix is a finding, an unknown vendor is missing data. */
function poolVendor(hosts: readonly PoolHost[]): { vendor?: string; vendorProblem?: string; vendorMissing?: string } {
  const unknown = hosts.filter((h) => !h.cpu?.vendor).map((h) => h.host);
  if (unknown.length) return { vendorMissing: `the CPU vendor of ${unknown.join(', ')} is not known` };
  const byVendor = new Map<string, string[]>();
  for (const h of hosts) byVendor.set(h.cpu!.vendor!, [...(byVendor.get(h.cpu!.vendor!) ?? []), h.host]);
  if (byVendor.size > 1) {
    const list = [...byVendor].map(([v, hs]) => `${v} (${hs.join(', ')})`).join(', ');
    return { vendorProblem: `the pool mixes CPU vendors: ${list}; a guest cannot live-migrate between vendors` };
  }
  const [only] = byVendor.keys();
  if (only === undefined) return {};
  const vendor = modelVendorOf(only);
  return vendor ? { vendor } : { vendorMissing: `QEMU has no x86 CPU models of vendor ${only} in the catalog` };
}

/** The features every host's accelerator gives beyond the model, or why they cannot be known. */
function extraFeatures(
  hosts: readonly PoolHost[],
  model: readonly string[],
): { features: string[] } | { unknown: string } {
  const without = hosts.filter((h) => !h.accelFeatures).map((h) => h.host);
  if (without.length) return { unknown: `no host or max CPU model expansion from ${without.join(', ')}` };
  const inModel = new Set(model);
  const [first, ...rest] = hosts.map((h) => new Set(h.accelFeatures!.features));
  const features = [...(first ?? [])].filter((f) => !inModel.has(f) && rest.every((s) => s.has(f))).sort();
  return { features };
}
