import type { QemuModelInfo } from './cpu-generation.ts';
import {
  compareVersions,
  modelLine,
  newestMachine,
  parseVersion,
  usableNamedModels,
  type CpuModelDef,
} from './qmp-cpu.ts';

/**
 * The CPU baseline of a pool of hosts: the richest named CPU model every host can run, what each host gives up
 * under it, the newest machine type every host's QEMU offers, and models that stop working when the same hardware
 * gets a newer QEMU. x86 QEMU has no baseline command (query-cpu-model-baseline is s390x only), so it is computed
 * here from each host's query-cpu-definitions and the models' static expansions. Pure: data in, data out.
 */
export interface PoolHost {
  host: string;
  /** `7.2.0`; undefined when the host's QEMU did not say (replayed dumps without query-version). */
  qemuVersion?: string;
  definitions: CpuModelDef[];
  /** query-machines names; undefined when not recorded. */
  machines?: string[];
  /** The CPU's identity, to find hosts with the same hardware. */
  cpu?: { vendor?: string; family?: number; model?: number; stepping?: number; modelName?: string };
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
  /** The richest model this host alone can run. */
  bestModel?: string;
  /** Features of bestModel that the baseline model lacks. */
  lost: string[];
  /** Set when `lost` cannot be known (no static expansion of one of the two models). */
  lostUnknown?: string;
  newestQ35?: string;
}

export interface Regression {
  model: string;
  usableOn: string;
  unusableOn: string;
  /** The features the newer QEMU reports unavailable (or why the model is gone). */
  blocking: string[];
}

export interface PoolBaseline {
  hosts: string[];
  model?: string;
  modelFeatures?: number;
  /** Where the baseline model's expansion came from. */
  expansionFrom?: string;
  rows: PoolHostRow[];
  /** Newest q35 machine type every host offers; undefined when a host did not record query-machines. */
  machineType?: string;
  machineNote: string;
  regressions: Regression[];
  /** Models every host can run but that no expansion describes (not ranked). */
  unranked: string[];
  /** Why there is no baseline, when there is none. */
  problems: string[];
}

const label = (v: string | undefined) => v ?? 'not recorded';

/**
 * "Richest" = of the most recent model line (the catalog's launch years; lines it does not know, such as qemu64 or
 * core2duo, come last), then with the most features, then a concrete name over an alias.
 */
export function computePoolBaseline(
  hosts: readonly PoolHost[],
  expansion: ExpansionLookup,
  lines: Record<string, QemuModelInfo> = {},
): PoolBaseline {
  const names = hosts.map((h) => h.host);
  const usable = new Map(hosts.map((h) => [h.host, new Set(usableNamedModels(h.definitions))]));
  const common = [...(usable.get(names[0]) ?? [])].filter((m) => hosts.every((h) => usable.get(h.host)!.has(m))).sort();
  const problems: string[] = [];
  if (!hosts.length) problems.push('the pool has no host');

  const poolExpansion = (model: string) => hosts.map((h) => expansion(h.host, model)).find(Boolean);
  const isAlias = (m: string) => hosts.some((h) => h.definitions.find((d) => d.name === m)?.aliasOf !== undefined);
  const year = (m: string) => lines[modelLine(m)]?.released ?? -1;
  const size = (e: Expansion | undefined) => e?.features.length ?? -1;
  type Ranked = { model: string; e?: Expansion };
  const richest = (a: Ranked, b: Ranked) =>
    year(b.model) - year(a.model) ||
    size(b.e) - size(a.e) ||
    Number(isAlias(a.model)) - Number(isAlias(b.model)) ||
    a.model.localeCompare(b.model);
  // A model is ranked by its line's launch year or its expansion; one with neither cannot be compared.
  const rankable = (r: Ranked) => r.e !== undefined || year(r.model) >= 0;
  const ranked = common
    .map((m): Ranked => ({ model: m, e: poolExpansion(m) }))
    .filter(rankable)
    .sort(richest);
  const unranked = common.filter((m) => !ranked.some((r) => r.model === m));
  const base = ranked[0];
  if (hosts.length && !common.length) problems.push('no named CPU model is usable on every host of the pool');
  else if (hosts.length && !base)
    problems.push(`no expansion describes the models every host can run (${common.join(', ')})`);

  const rows = hosts.map((h): PoolHostRow => {
    const own = [...usable.get(h.host)!]
      .map((m): Ranked => ({ model: m, e: expansion(h.host, m) }))
      .filter(rankable)
      .sort(richest);
    const best = own[0];
    const baseSet = new Set(base?.e?.features ?? []);
    const noExpansion = [best, base].filter((r) => r && !r.e).map((r) => r!.model);
    return {
      host: h.host,
      qemuVersion: label(h.qemuVersion),
      ...(best && { bestModel: best.model }),
      lost: best?.e && base?.e ? best.e.features.filter((f) => !baseSet.has(f)) : [],
      ...(noExpansion.length && { lostUnknown: `no static expansion of ${[...new Set(noExpansion)].join(' or ')}` }),
      ...(h.machines && { newestQ35: newestMachine(h.machines, 'q35') }),
    };
  });

  const unrecorded = hosts.filter((h) => !h.machines).map((h) => h.host);
  let machineType: string | undefined;
  let machineNote: string;
  if (unrecorded.length)
    machineNote = `machine types: not recorded (${unrecorded.join(', ')} did not record query-machines)`;
  else {
    const shared = hosts.map((h) => h.machines!).reduce((acc, m) => acc.filter((n) => m.includes(n)));
    machineType = newestMachine(shared, 'q35');
    machineNote = machineType
      ? `${machineType}: the newest q35 machine type every host's QEMU offers`
      : 'no q35 machine type is offered by every host';
  }

  return {
    hosts: names,
    ...(base && { model: base.model }),
    ...(base?.e && { modelFeatures: base.e.features.length, expansionFrom: base.e.from }),
    rows,
    ...(machineType && { machineType }),
    machineNote,
    regressions: sameHardwareRegressions(hosts),
    unranked,
    problems,
  };
}

/** Hosts with the same CPU and different QEMU: a model one runs and another (newer, or of unknown version) cannot. */
export function sameHardwareRegressions(hosts: readonly PoolHost[]): Regression[] {
  const out: Regression[] = [];
  for (const a of hosts) {
    for (const b of hosts) {
      if (a === b || !sameCpu(a, b) || a.qemuVersion === b.qemuVersion) continue;
      const va = parseVersion(a.qemuVersion);
      const vb = parseVersion(b.qemuVersion);
      if (va && vb && compareVersions(va, vb) > 0) continue; // only older → newer when both are known
      const bDefs = new Map(b.definitions.map((d) => [d.name, d]));
      for (const m of usableNamedModels(a.definitions)) {
        const d = bDefs.get(m);
        const tag = (h: PoolHost) => `${h.host} (QEMU ${label(h.qemuVersion)})`;
        if (d && !d.usable) out.push({ model: m, usableOn: tag(a), unusableOn: tag(b), blocking: d.unavailable });
        else if (!d && va && vb)
          out.push({
            model: m,
            usableOn: tag(a),
            unusableOn: tag(b),
            blocking: [`QEMU ${b.qemuVersion} no longer has ${m}`],
          });
      }
    }
  }
  return out;
}

function sameCpu(a: PoolHost, b: PoolHost): boolean {
  const ka = cpuKey(a);
  return ka !== undefined && ka === cpuKey(b);
}

function cpuKey(h: PoolHost): string | undefined {
  const c = h.cpu;
  if (!c) return undefined;
  if (c.vendor && c.family !== undefined && c.model !== undefined && c.stepping !== undefined)
    return `${c.vendor}/${c.family}/${c.model}/${c.stepping}`;
  return c.modelName?.trim() || undefined;
}
