// The CPU generation catalog (fixtures/cpu-generations.json) against QEMU's own model definitions: for every entry
// whose QEMU model this machine's QEMU has, the static expansion of that model (-machine none -accel tcg: what the
// model is, whatever the host) must give every flag the catalog requires of the generation. A flag the model lacks
// is a catalog bug. One guest-less QEMU, a few seconds.
import { beforeAll, describe, expect, it } from 'vitest';
import { checkCatalogAgainstModels } from '../../src/probe/catalog-vs-qemu.ts';
import { loadCpuCatalog } from '../../src/probe/cpu-catalog-file.ts';
import type { CpuCatalog } from '../../src/probe/cpu-generation.ts';
import { controllerExpansions, type ControllerExpansions } from '../../suites/cpu-features/controller-expansions.ts';

const catalog = loadCpuCatalog();
let qemu: ControllerExpansions;

beforeAll(async () => {
  const models = [...new Set(catalog.generations.flatMap((g) => (g.qemuModel ? [g.qemuModel] : [])))];
  qemu = await controllerExpansions(models);
}, 60_000);

describe("the catalog's required flags vs the controller's QEMU models", () => {
  it('every model QEMU has gives every flag the catalog requires of its generation', () => {
    const r = checkCatalogAgainstModels(catalog, qemu.expansions);
    expect(r.missing, `${qemu.from}: catalog entries requiring flags their own QEMU model lacks`).toEqual([]);
    // Not vacuous: every x86 entry whose model this QEMU knows was checked (QEMU 7.2 knows 17 of them).
    expect(r.checked.length).toBeGreaterThanOrEqual(10);
    expect(r.checked.map((c) => c.id).sort()).toEqual(
      catalog.generations
        .filter((g) => g.qemuModel && qemu.expansions[g.qemuModel])
        .map((g) => g.id)
        .sort(),
    );
  });

  it('catches a required flag the model lacks (a catalog that asks Haswell for AVX-512 and Rome for SHA-3)', () => {
    const wrong: CpuCatalog = {
      ...catalog,
      generations: catalog.generations.map((g) =>
        g.id === 'intel-haswell-ep'
          ? { ...g, requiredFlags: [...g.requiredFlags, 'avx512f'] }
          : g.id === 'amd-rome'
            ? { ...g, requiredFlags: [...g.requiredFlags, 'sha3'] }
            : g,
      ),
    };
    const r = checkCatalogAgainstModels(wrong, qemu.expansions);
    expect(r.missing).toEqual([
      { id: 'intel-haswell-ep', model: 'Haswell', flags: ['avx512f'] },
      { id: 'amd-rome', model: 'EPYC-Rome', flags: ['sha3'] },
    ]);
  });
});
