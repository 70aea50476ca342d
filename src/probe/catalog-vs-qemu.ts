import type { CpuCatalog } from './cpu-generation.ts';
import { qemuToLinux } from './cpu-flag-names.ts';

export interface CatalogModelCheck {
  /** Entries whose QEMU model the given QEMU has, and were checked. */
  checked: Array<{ id: string; model: string }>;
  /** Entries whose QEMU model it does not have (newer QEMU, another architecture): not checked. */
  notThere: Array<{ id: string; model: string }>;
  /** Required flags the entry's own QEMU model lacks: each one a catalog bug. */
  missing: Array<{ id: string; model: string; flags: string[] }>;
}

/**
 * The catalog's required flags (Linux names) against QEMU's own expansion of each entry's model (canonical QEMU
 * feature names, as expansionFeatures gives them; `undefined` where that QEMU has no such model). A generation's
 * model must give every flag the catalog requires of that generation. Pure.
 */
export function checkCatalogAgainstModels(
  catalog: CpuCatalog,
  expansions: Readonly<Record<string, readonly string[] | undefined>>,
): CatalogModelCheck {
  const out: CatalogModelCheck = { checked: [], notThere: [], missing: [] };
  for (const g of catalog.generations) {
    if (!g.qemuModel) continue;
    const features = expansions[g.qemuModel];
    const entry = { id: g.id, model: g.qemuModel };
    if (!features) {
      out.notThere.push(entry);
      continue;
    }
    out.checked.push(entry);
    const gives = new Set(features.flatMap(qemuToLinux));
    const flags = g.requiredFlags.filter((f) => !gives.has(f));
    if (flags.length) out.missing.push({ ...entry, flags });
  }
  return out;
}
