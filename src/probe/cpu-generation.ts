import type { CpuFacts } from '../model/facts.ts';

/**
 * CPU generations (fixtures/cpu-generations.json): which generation a host's CPU is, and whether it has the flags
 * that generation must have. Pure: the catalog comes in as data (loadCpuCatalog reads the file).
 */
export interface GenerationMatch {
  /** x86: CPUID family, model numbers, optional steppings. */
  family?: number;
  models?: number[];
  steppings?: number[];
  /** A regular expression the model name must match, where variants share family/model/stepping (Bergamo, Siena). */
  modelName?: string;
  /** Arm: MIDR implementer and parts (`0x41`, `0xd0c`). */
  implementer?: string;
  parts?: string[];
}

export interface CpuGeneration {
  id: string;
  name: string;
  /** vendor_id as /proc/cpuinfo prints it (GenuineIntel, AuthenticAMD) or the Arm implementer name (ARM, Ampere). */
  vendor: string;
  match: GenerationMatch;
  /** The QEMU model that stands for it, null where QEMU has none. */
  qemuModel: string | null;
  /** /proc/cpuinfo flag names (Linux's). */
  requiredFlags: string[];
  /** Where the flags and ids come from (vendor documentation, QEMU's model definitions). */
  source: string;
}

export interface QemuModelInfo {
  vendor: string;
  /** Launch year of the hardware the model stands for: orders "newest". */
  released: number;
  /** The QEMU release that added the model, where verified. */
  since?: string;
  sinceSource?: string;
}

export interface CpuCatalog {
  generations: CpuGeneration[];
  qemuModels: Record<string, QemuModelInfo>;
}

export interface GenerationCheck {
  generation?: { id: string; name: string; qemuModel: string | null };
  /** Why no generation matched (an unknown CPU is a fact, not a failure). */
  unknownReason?: string;
  /** Flags the generation (and the plan) require that the host lacks. */
  missing: string[];
  required: string[];
}

/** Parse and check the catalog's shape once (a broken fixture is a config error, not a guess). */
export function parseCpuCatalog(data: unknown, label = 'cpu-generations.json'): CpuCatalog {
  const bad = (what: string) => new Error(`${label}: ${what}`);
  const o = data as Partial<CpuCatalog>;
  if (!o || !Array.isArray(o.generations)) throw bad('generations must be a list');
  const ids = new Set<string>();
  for (const g of o.generations) {
    if (!g.id || ids.has(g.id)) throw bad(`generation id missing or repeated: ${String(g.id)}`);
    ids.add(g.id);
    if (!g.vendor || !g.match || !Array.isArray(g.requiredFlags) || !g.source)
      throw bad(`${g.id}: vendor, match, requiredFlags and source are required`);
    const x86 = g.match.family !== undefined && Array.isArray(g.match.models);
    const arm = typeof g.match.implementer === 'string' && Array.isArray(g.match.parts);
    if (x86 === arm) throw bad(`${g.id}: match needs family+models (x86) or implementer+parts (Arm)`);
    if (g.match.modelName !== undefined) {
      try {
        new RegExp(g.match.modelName);
      } catch (err) {
        throw bad(`${g.id}: match.modelName is not a regular expression: ${(err as Error).message}`);
      }
    }
  }
  const models = Object.fromEntries(Object.entries(o.qemuModels ?? {}).filter(([k]) => !k.startsWith('$'))) as Record<
    string,
    QemuModelInfo
  >;
  return { generations: o.generations, qemuModels: models };
}

const hex = (s: string) =>
  `0x${s
    .replace(/^0x/i, '')
    .toLowerCase()
    .replace(/^0+(?=.)/, '')}`;

/**
 * The generation of a CPU, from vendor + family/model/stepping (+ model name where variants share the ids) on x86, or
 * implementer/part on Arm. The first entry that matches wins (the catalog lists variants before their siblings).
 */
export function detectGeneration(cpu: CpuFacts, catalog: CpuCatalog): CpuGeneration | undefined {
  if (cpu.arm) {
    const impl = hex(cpu.arm.implementer);
    const part = hex(cpu.arm.part);
    return catalog.generations.find(
      (g) =>
        g.match.implementer !== undefined &&
        hex(g.match.implementer) === impl &&
        (g.match.parts ?? []).some((p) => hex(p) === part),
    );
  }
  if (cpu.family === undefined || cpu.model === undefined) return undefined;
  return catalog.generations.find(
    (g) =>
      g.vendor === cpu.vendor &&
      g.match.family === cpu.family &&
      (g.match.models ?? []).includes(cpu.model!) &&
      (!g.match.steppings || (cpu.stepping !== undefined && g.match.steppings.includes(cpu.stepping))) &&
      (g.match.modelName === undefined || new RegExp(g.match.modelName).test(cpu.modelName ?? '')),
  );
}

const hex2 = (n: number) => `${n.toString(16).toUpperCase().padStart(2, '0')}h`;

/**
 * When no entry matches but the catalog knows the vendor's CPU family: the entries of that family, to say "variant
 * not recognised" with what hwqual does know — rather than naming the nearest entry.
 */
function sameFamily(cpu: CpuFacts, catalog: CpuCatalog): CpuGeneration[] {
  if (cpu.arm) {
    const impl = hex(cpu.arm.implementer);
    return catalog.generations.filter((g) => g.match.implementer !== undefined && hex(g.match.implementer) === impl);
  }
  return catalog.generations.filter((g) => g.vendor === cpu.vendor && g.match.family === cpu.family);
}

/** How the CPU identifies itself, for the "unknown generation" fact. */
export function cpuIdentity(cpu: CpuFacts): string {
  if (cpu.arm) return `${cpu.vendor ?? 'Arm'} implementer ${cpu.arm.implementer} part ${cpu.arm.part}`;
  const fms = [cpu.family, cpu.model, cpu.stepping].map((n) => (n === undefined ? '?' : String(n))).join('/');
  return `${cpu.vendor ?? 'unknown vendor'} family/model/stepping ${fms}${cpu.modelName ? ` (${cpu.modelName})` : ''}`;
}

/** Detect the generation and check the host's flags against it plus the plan's extra flags. */
export function checkGeneration(
  cpu: CpuFacts,
  catalog: CpuCatalog,
  extraFlags: readonly string[] = [],
): GenerationCheck {
  const gen = detectGeneration(cpu, catalog);
  const required = [...new Set([...(gen?.requiredFlags ?? []), ...extraFlags])];
  const have = new Set(cpu.flags ?? []);
  const missing = required.filter((f) => !have.has(f));
  if (!gen) {
    const family = sameFamily(cpu, catalog);
    const what = cpu.arm
      ? `implementer ${cpu.arm.implementer}`
      : `family ${cpu.family === undefined ? '?' : hex2(cpu.family)}`;
    const known = family.length <= 6 ? family.map((g) => g.name).join(', ') : `${family.length} generations`;
    const why = family.length
      ? `variant not recognised: ${cpuIdentity(cpu)} — the catalog knows ${what} (${known}) but no entry matches this ${
          cpu.arm ? 'part' : 'model, stepping and name'
        }; it does not guess the nearest`
      : cpu.vendor || cpu.family !== undefined || cpu.arm
        ? `not in the catalog: ${cpuIdentity(cpu)}`
        : 'the host did not describe its CPU';
    return { unknownReason: why, missing, required };
  }
  return { generation: { id: gen.id, name: gen.name, qemuModel: gen.qemuModel }, missing, required };
}

/** The generation a QEMU/libvirt model name stands for (e.g. a domcapabilities host-model), when only one does. */
export function generationByQemuModel(model: string, catalog: CpuCatalog): CpuGeneration | undefined {
  const line = model.replace(/-v\d+$/, '');
  const found = catalog.generations.filter((g) => g.qemuModel === line);
  return found.length === 1 ? found[0] : undefined;
}
