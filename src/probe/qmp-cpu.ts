import type { QmpCpuDefinition, QmpMachineInfo } from '../model/qmp.ts';
import type { QemuModelInfo } from './cpu-generation.ts';
import { featureKey, qemuToLinux } from './cpu-flag-names.ts';

/**
 * What QEMU's QMP answers say about CPU models and machine types (query-cpu-definitions, query-cpu-model-expansion,
 * query-machines). Pure: replies in, plain data out.
 */
export interface CpuModelDef {
  name: string;
  /** This host + accelerator can run it: QEMU reported no unavailable features. */
  usable: boolean;
  unavailable: string[];
  aliasOf?: string;
  deprecated?: boolean;
  migrationSafe?: boolean;
}

/** Names that are not models a pool can be configured with. */
const NOT_NAMED = new Set(['host', 'max', 'base']);

export function parseCpuDefinitions(reply: readonly QmpCpuDefinition[]): CpuModelDef[] {
  return reply
    .map((d) => ({
      name: d.name,
      usable: (d['unavailable-features'] ?? []).length === 0,
      unavailable: [...new Set(d['unavailable-features'] ?? [])].sort(),
      ...(d['alias-of'] !== undefined && { aliasOf: d['alias-of'] }),
      ...(d.deprecated !== undefined && { deprecated: d.deprecated }),
      ...(d['migration-safe'] !== undefined && { migrationSafe: d['migration-safe'] }),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Named models (not host/max/base) this host can run. */
export function usableNamedModels(defs: readonly CpuModelDef[]): string[] {
  return defs.filter((d) => d.usable && !NOT_NAMED.has(d.name) && d.migrationSafe !== false).map((d) => d.name);
}

/** The model line a name belongs to: `Skylake-Server-v4`, `Skylake-Server-noTSX-IBRS` → `Skylake-Server`. */
export function modelLine(name: string): string {
  return name.replace(/-v\d+$/, '').replace(/(-noTSX)?(-IBRS|-IBPB)?$/, '');
}

export interface NewestModel {
  vendor: string;
  model: string;
  line: string;
  released: number;
}

/** Per vendor, the usable model of the most recent line (by the catalog's launch years); ties → highest version. */
export function newestUsablePerVendor(
  defs: readonly CpuModelDef[],
  lines: Record<string, QemuModelInfo>,
): Record<string, NewestModel> {
  const out: Record<string, NewestModel> = {};
  for (const name of usableNamedModels(defs)) {
    const line = modelLine(name);
    const info = lines[line];
    if (!info || info.vendor === 'qemu') continue; // QEMU's generic models are no vendor's
    const cur = out[info.vendor];
    const better =
      !cur ||
      info.released > cur.released ||
      (info.released === cur.released && versionOf(name) > versionOf(cur.model));
    if (better) out[info.vendor] = { vendor: info.vendor, model: name, line, released: info.released };
  }
  return out;
}

function versionOf(name: string): number {
  const m = /-v(\d+)$/.exec(name);
  return m ? Number(m[1]) : 0;
}

/** Boolean properties of an expansion that are options of QEMU's CPU object, not CPUID features. */
const OPTION_PROPS = new Set([
  'migratable',
  'check',
  'enforce',
  'legacy-cache',
  'vmware-cpuid-freq',
  'full-cpuid-auto-level',
  'l3-cache',
  'pmu',
  'host-phys-bits',
  'fill-mtrr-mask',
  'cpuid-0xb',
  'tcg-cpuid',
  'host-cache-info',
  'realized',
  'hotpluggable',
  'hotplugged',
  'start-powered-off',
  'kvm',
  'kvm-no-smi-migration',
  'kvmclock',
  'kvmclock-stable-bit',
]);
const ALIASES: Record<string, string> = {
  xd: 'nx',
  i64: 'lm',
  sse3: 'pni',
  pclmuldq: 'pclmulqdq',
  ffxsr: 'fxsr-opt',
  'sse4-1': 'sse4.1',
  'sse4-2': 'sse4.2',
};

/** One name per feature as hwqual shows it (QEMU's spelling, aliases folded). */
export function canonicalFeature(name: string): string {
  const k = featureKey(name);
  return ALIASES[k] ?? k;
}

/** The CPUID features a static expansion turns on (paravirt kvm-*, Hyper-V hv-* and nested vmx-* left out). */
export function expansionFeatures(props: Record<string, unknown> | undefined): string[] {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v !== true) continue;
    const key = featureKey(k);
    if (OPTION_PROPS.has(key) || /^(kvm|hv|vmx|x)-/.test(key)) continue;
    out.add(canonicalFeature(key));
  }
  return [...out].sort();
}

export interface HostCpuFromQmp {
  vendor?: string;
  family?: number;
  model?: number;
  stepping?: number;
  modelName?: string;
  flags: string[];
}

/** What the `host` (or `max`) expansion says of the CPU: identity, and its features as Linux flag names. */
export function hostCpuFromExpansion(props: Record<string, unknown> | undefined): HostCpuFromQmp {
  const p = props ?? {};
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  return {
    vendor: typeof p.vendor === 'string' ? p.vendor : undefined,
    family: num(p.family),
    model: num(p.model),
    stepping: num(p.stepping),
    modelName: typeof p['model-id'] === 'string' ? p['model-id'].trim() : undefined,
    flags: [...new Set(expansionFeatures(p).flatMap(qemuToLinux))].sort(),
  };
}

/** Machine type names, aliases included (`q35` → also `pc-q35-7.2`). */
export function machineTypes(reply: readonly QmpMachineInfo[]): string[] {
  return [...new Set(reply.flatMap((m) => [m.name, ...(m.alias ? [m.alias] : [])]))].sort();
}

/** The names query-machines marks `deprecated: true` (aliases included). */
export function deprecatedMachineTypes(reply: readonly QmpMachineInfo[]): string[] {
  return machineTypes(reply.filter((m) => m.deprecated === true));
}

export type MachineFamily = 'q35' | 'i440fx';

/** The versioned machine types of a family, oldest first (`pc-q35-7.2` → [7, 2]). */
export function versionedMachines(
  names: readonly string[],
  family: MachineFamily,
): Array<{ name: string; version: number[] }> {
  const re = family === 'q35' ? /^pc-q35-(\d+)\.(\d+)$/ : /^pc-i440fx-(\d+)\.(\d+)$/;
  return names
    .flatMap((n) => {
      const m = re.exec(n);
      return m ? [{ name: n, version: [Number(m[1]), Number(m[2])] }] : [];
    })
    .sort((a, b) => compareVersions(a.version, b.version));
}

export function newestMachine(names: readonly string[], family: MachineFamily): string | undefined {
  return versionedMachines(names, family).at(-1)?.name;
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

export function parseVersion(v: string | undefined): number[] | undefined {
  const m = v ? /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v) : null;
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

/** Why a model this QEMU does not list cannot be used: the QEMU release that added it, where known. */
export function unknownModelReason(
  name: string,
  qemuVersion: string | undefined,
  lines: Record<string, QemuModelInfo>,
): string {
  const info = lines[modelLine(name)];
  const qemu = qemuVersion ? `QEMU ${qemuVersion}` : 'this QEMU (version not recorded)';
  if (info?.since) return `${qemu} does not know CPU model ${name}: it was added in QEMU ${info.since}`;
  return `${qemu} does not know CPU model ${name}${info ? '' : ' (not a model line hwqual knows either)'}`;
}
