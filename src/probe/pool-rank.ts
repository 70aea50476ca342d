import type { QemuModelInfo } from './cpu-generation.ts';
import { modelLine } from './qmp-cpu.ts';

/**
 * Which named CPU model is "richest", for a pool baseline and for each host's own best model. The rule, in order:
 *  1. Candidates are the models of the CPU vendor (the catalog's `qemuModels` vendor of the model's line: Intel
 *     models for GenuineIntel, AMD models for AuthenticAMD, Hygon models for HygonGenuine). QEMU's generic models
 *     (qemu64, kvm64, …; vendor `qemu`) are candidates only when no model of the vendor is usable.
 *  2. A candidate whose feature set is a strict subset of another candidate's is never chosen.
 *  3. Among the rest: the most features, then the newest — the newer model line (the catalog's launch year: Nehalem
 *     over core2duo when both have 32 features), then the higher version (`-v4` over `-v3`; an unversioned alias
 *     counts as version 0) — then the name.
 * A model without a static expansion cannot be compared and is left unranked. Pure.
 */

/** /proc/cpuinfo vendor_id → the catalog's vendor of QEMU model lines. */
const VENDOR_OF_CPU: Record<string, string> = {
  GenuineIntel: 'intel',
  AuthenticAMD: 'amd',
  HygonGenuine: 'hygon',
};

/** The catalog vendor (intel, amd, hygon) of a CPU vendor_id; undefined for one QEMU has no x86 models of. */
export function modelVendorOf(cpuVendor: string | undefined): string | undefined {
  return cpuVendor === undefined ? undefined : VENDOR_OF_CPU[cpuVendor.trim()];
}

/** The vendor QEMU's QMP reports for a model's line in the catalog; undefined when the line is not listed. */
export function vendorOfModel(model: string, lines: Record<string, QemuModelInfo>): string | undefined {
  return lines[modelLine(model)]?.vendor;
}

export const GENERIC_VENDOR = 'qemu';

export interface RankInput {
  model: string;
  /** The model's static expansion (canonical feature names); undefined when none is known. */
  features?: readonly string[];
}

export interface Ranking<T extends RankInput> {
  /** Best first: the models no other candidate strictly contains, by the rule above. */
  ranked: T[];
  /** Candidates whose features are a strict subset of another candidate's (never chosen). */
  dominated: string[];
  /** Every candidate with an expansion, ranked and dominated alike, richest first (the fallbacks, in order). */
  byRichness: string[];
  /** Candidates without an expansion (cannot be compared). */
  unranked: string[];
  /** `intel`, `amd`, `hygon`, or `qemu` when only QEMU's generic models were candidates. */
  candidatesOf: string;
}

function versionOf(name: string): number {
  const m = /-v(\d+)$/.exec(name);
  return m ? Number(m[1]) : 0;
}

export function isStrictSubset(a: readonly string[], b: readonly string[]): boolean {
  if (a.length >= b.length) return false;
  const big = new Set(b);
  return a.every((f) => big.has(f));
}

/** Order by feature count, then the newer line, then the higher version, then name. */
export function byRichness(lines: Record<string, QemuModelInfo>): (a: RankInput, b: RankInput) => number {
  const year = (m: string) => lines[modelLine(m)]?.released ?? -1;
  return (a, b) =>
    (b.features?.length ?? -1) - (a.features?.length ?? -1) ||
    year(b.model) - year(a.model) ||
    versionOf(b.model) - versionOf(a.model) ||
    a.model.localeCompare(b.model);
}

/** Rank `models` (usable ones) for a CPU of catalog vendor `vendor`. */
export function rankModels<T extends RankInput>(
  models: readonly T[],
  vendor: string,
  lines: Record<string, QemuModelInfo>,
): Ranking<T> {
  const own = models.filter((m) => vendorOfModel(m.model, lines) === vendor);
  const generic = models.filter((m) => vendorOfModel(m.model, lines) === GENERIC_VENDOR);
  const useGeneric = own.length === 0;
  const candidates = useGeneric ? [...own, ...generic] : own;
  const known = candidates.filter((m) => m.features);
  const dominated = known.filter((a) => known.some((b) => b !== a && isStrictSubset(a.features!, b.features!)));
  return {
    ranked: known.filter((m) => !dominated.includes(m)).sort(byRichness(lines)),
    dominated: dominated.map((m) => m.model).sort(),
    byRichness: [...known].sort(byRichness(lines)).map((m) => m.model),
    unranked: candidates
      .filter((m) => !m.features)
      .map((m) => m.model)
      .sort(),
    candidatesOf: useGeneric && generic.length ? GENERIC_VENDOR : vendor,
  };
}
