import type { CaseDef } from '../../src/suite-api/index.ts';
import { traitFeature, type PoolHandoff } from '../../src/suite-api/openstack.ts';
import { answered, askNova } from './nova.ts';

/** Traits one side has and the other lacks. Pure. */
export function traitDifferences(
  nova: readonly string[],
  hwqual: readonly string[],
): { onlyNova: string[]; onlyHwqual: string[] } {
  const n = new Set(nova);
  const h = new Set(hwqual);
  return { onlyNova: nova.filter((t) => !h.has(t)).sort(), onlyHwqual: hwqual.filter((t) => !n.has(t)).sort() };
}

/**
 * Nova's CPU traits (`HW_CPU_*`: the CPU features, SEV, hyper-threading) — what hwqual predicts — apart from the
 * architecture traits newer Nova adds to the same call (Nova 31: `HW_ARCH_X86_64`, `COMPUTE_ARCH_*` from the host's
 * architecture and libvirt's emulated ones), which depend on the Nova release, not on the CPU. Pure.
 */
export function splitNovaTraits(traits: readonly string[]): { cpu: string[]; arch: string[] } {
  return { cpu: traits.filter((t) => t.startsWith('HW_CPU_')), arch: traits.filter((t) => !t.startsWith('HW_CPU_')) };
}

/**
 * nova-traits: the CPU traits Nova's own `LibvirtDriver._get_cpu_traits()` reports for this host with the pool's
 * fragment (the union of libvirt's expansion of every configured model, the extra flags, SEV and hyper-threading)
 * against the traits hwqual wrote in handoff.json. Each difference is a failed check naming the trait and its CPU
 * feature: a flavor hwqual offers on a trait Nova does not report would never schedule. The architecture traits
 * newer Nova reports beside them are listed, not compared (splitNovaTraits).
 */
export function novaTraitsCase(pool: PoolHandoff, fragment: string): CaseDef {
  return {
    id: 'nova-traits',
    title: `Nova reports the CPU traits hwqual wrote for pool ${pool.pool}`,
    params: { pool: pool.pool },
    tags: ['openstack', 'nova'],
    readOnly: true,
    async run(ctx) {
      const a = answered(ctx, await askNova(ctx, 'traits', fragment));
      if (a.error) ctx.fail(`Nova ${a.nova} could not compute the traits: ${a.error.type}: ${a.error.message}`);
      const { cpu: nova, arch } = splitNovaTraits(a.traits ?? []);
      const predicted = pool.traits[ctx.host.name] ?? [];
      await ctx.artifact('traits.json', `${JSON.stringify({ nova, novaArch: arch, hwqual: predicted }, null, 2)}\n`);
      if (arch.length) ctx.log(`Nova ${a.nova} also reports ${arch.join(', ')} (architecture, not CPU; not compared)`);
      ctx.metric('nova_cpu_traits', nova.length);
      const d = traitDifferences(nova, predicted);
      const feature = (t: string) => (traitFeature(t) ? ` (CPU feature ${traitFeature(t)})` : '');
      for (const t of d.onlyNova)
        ctx.check.ok(`Nova reports ${t}${feature(t)}, which hwqual did not write`, false, {
          expected: 'absent from Nova, as in handoff.json',
          actual: t,
        });
      for (const t of d.onlyHwqual)
        ctx.check.ok(`hwqual wrote ${t}${feature(t)}, which Nova does not report`, false, {
          expected: t,
          actual: 'not reported by Nova',
        });
      ctx.check.ok(
        `Nova's ${nova.length} CPU traits are the ${predicted.length} hwqual wrote`,
        !d.onlyNova.length && !d.onlyHwqual.length,
      );
    },
  };
}
