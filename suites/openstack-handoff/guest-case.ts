import { HwqualError, type CaseDef } from '../../src/suite-api/index.ts';
import type { PoolHandoff } from '../../src/suite-api/openstack.ts';
import { hopPassed, MiB, runMigration, type Endpoint } from '../../src/suite-api/migration.ts';
import { ensureImage, resolveAccel } from '../../src/suite-api/vm.ts';
import { answered, askNova, type NovaGuestCpu } from './nova.ts';

/** The guest CPU Nova chose as a `-cpu` spec hwqual's libvirt driver writes back as the same `<cpu>`. Pure. */
export function specOf(cpu: NovaGuestCpu): string | undefined {
  if (cpu.error || cpu.mode !== 'custom' || !cpu.model) return undefined;
  const mods = (cpu.features ?? []).map((f) => {
    const [policy, name] = f.split(':');
    return `${policy === 'disable' || policy === 'forbid' ? '-' : '+'}${name}`;
  });
  return [cpu.model, ...mods].join(',');
}

/** A flavor's guest cannot run on this lab: SEV needs the hardware and KVM. Pure. */
export function unbootable(extraSpecs: Record<string, string>): string | undefined {
  return extraSpecs['hw:mem_encryption'] === 'True'
    ? 'an SEV guest needs SEV hardware under KVM; its CPU model is checked, not booted'
    : undefined;
}

/**
 * nova-guest: for the pool's default flavor and each flavor hwqual wrote, the guest CPU Nova's own
 * `_get_guest_cpu_model_config(flavor)` picks on the pool's first host (the first `cpu_models` entry that has every
 * flag the flavor's required traits map to, plus the extra flags); each distinct CPU boots a guest through
 * `driver: libvirt` with the fragment's machine type and live-migrates to the pool's second host and back, as
 * Nova's live migration would move it.
 */
export function novaGuestCase(pool: PoolHandoff, fragment: string): CaseDef {
  const [, to] = pool.hosts;
  return {
    id: 'nova-guest',
    title: `A guest with Nova's CPU for each of pool ${pool.pool}'s flavors boots and live-migrates`,
    params: { pool: pool.pool },
    tags: ['openstack', 'nova', 'migration'],
    ...(to && { alsoLocks: [to] }),
    timeoutSec: 900,
    async run(ctx) {
      if (!to) return ctx.skip(`pool ${pool.pool} has one host: a guest has nowhere to migrate to`);
      const peer = ctx.peer?.(to);
      const toInfo = ctx.plan.hosts?.find((h) => h.name === to);
      if (!peer || !toInfo) return ctx.skip(`host ${to} of pool ${pool.pool} is not part of this run`);
      const flavors = [{ feature: 'default', extraSpecs: {} }, ...pool.flavors];
      const a = answered(
        ctx,
        await askNova(ctx, 'guest-model', fragment, [JSON.stringify(flavors.map((f) => f.extraSpecs))]),
      );
      if (a.error) ctx.fail(`Nova ${a.nova} could not choose a guest CPU: ${a.error.type}: ${a.error.message}`);
      const cpus = a.models ?? [];
      await ctx.artifact('guest-cpus.json', `${JSON.stringify({ flavors, nova: cpus }, null, 2)}\n`);
      const bySpec = new Map<string, string[]>();
      for (const [i, f] of flavors.entries()) {
        const cpu = cpus[i];
        const spec = cpu && specOf(cpu);
        const said = cpu?.error
          ? `Nova: ${cpu.error.type}: ${cpu.error.message}`
          : cpu
            ? `${cpu.mode} ${cpu.model ?? ''} ${(cpu.features ?? []).join(' ')}`
            : 'no answer';
        ctx.log(`flavor ${f.feature} (${JSON.stringify(f.extraSpecs)}): Nova's guest CPU ${said}`);
        const named = ctx.check.ok(`Nova builds a guest CPU for flavor ${f.feature}`, spec !== undefined, {
          expected: `custom, one of ${pool.cpuModels.map((m) => m.libvirt).join(', ')}`,
          actual: said,
        });
        if (!named) continue;
        const why = unbootable(f.extraSpecs);
        if (why) {
          ctx.log(`flavor ${f.feature}: ${why}`);
          continue;
        }
        bySpec.set(spec!, [...(bySpec.get(spec!) ?? []), f.feature]);
      }
      const accel = (await resolveAccel(ctx.transport, ctx.plan.accel, { signal: ctx.signal })).accel;
      const machine = pool.machineType;
      const source: Endpoint = { name: ctx.host.name, transport: ctx.transport, address: ctx.host.migrationAddress };
      const destination: Endpoint = { name: to, transport: peer, address: toInfo.migrationAddress };
      const image = await ensureImage('tiny');
      for (const [spec, names] of bySpec) {
        ctx.log(
          `-cpu ${spec} (flavors ${names.join(', ')}), machine ${machine ?? 'default'}: ` +
            `${ctx.host.name} → ${to} → ${ctx.host.name}`,
        );
        const run = await runMigration({
          source,
          destination,
          image,
          strategy: 'precopy',
          hops: 2,
          signal: ctx.signal,
          driver: 'libvirt',
          log: (m) => ctx.log(m),
          guest: { accel, cpu: spec, ...(machine && { machine }), memoryMiB: 256, wssMiB: 32, dirtyMiBps: 8 },
          tuning: { maxBandwidth: 256 * MiB, downtimeLimitMs: 300 },
          deadlineMs: 120_000,
          stallMs: 30_000,
          defer: (fn) => ctx.defer(fn),
        });
        await ctx.artifact(`migration-${names[0]}.json`, `${JSON.stringify(run, null, 2)}\n`);
        for (const [i, hop] of run.hops.entries()) {
          const failed = hop.checks.filter((c) => !c.ok).map((c) => c.name);
          ctx.check.ok(`flavors ${names.join(', ')}: hop ${i + 1} ${hop.from} → ${hop.to}`, hopPassed(hop), {
            expected: 'completed, with its figures and every guest check passed',
            actual: [hop.outcome, hop.diagnosis, ...failed].filter(Boolean).join('; '),
          });
          if (hop.metrics.totalMs !== undefined) ctx.metric(`hop${i + 1}_total_ms`, hop.metrics.totalMs);
        }
        if (run.hops.length < 2)
          throw new HwqualError('E_VM', `flavors ${names.join(', ')}: ${run.hops.length} of 2 hops ran`);
      }
      ctx.metric('nova_guest_cpus', bySpec.size);
    },
  };
}
