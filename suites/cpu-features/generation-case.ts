import type { CaseContext, CaseDef, CpuFacts } from '../../src/suite-api/index.ts';
import { checkGeneration, classifyVulnerability, cpuIdentity, loadCpuCatalog } from '../../src/suite-api/parsers.ts';
import { hostQemuFacts } from './accel.ts';
import type { CpuSettings } from './settings.ts';

/** Which CPU the host has: from its facts, or (a replayed QMP-only host) from QEMU's `host` model expansion. */
async function hostCpu(ctx: CaseContext, s: CpuSettings): Promise<{ cpu: CpuFacts; from: string } | undefined> {
  const cpu = ctx.host.facts.cpu;
  if (cpu && (cpu.family !== undefined || cpu.arm) && cpu.flags?.length) return { cpu, from: '/proc/cpuinfo or lscpu' };
  if (!ctx.host.replayed) return undefined;
  const q = await hostQemuFacts(ctx, ctx.transport, s.accel, ctx.host.facts.arch).catch(() => undefined);
  if (!q?.hostCpu) return undefined;
  const { vendor, family, model, stepping, modelName, flags } = q.hostCpu;
  return {
    cpu: { vendor, family, model, stepping, modelName, flags },
    from: "QEMU's host CPU model expansion under KVM (no /proc/cpuinfo recorded)",
  };
}

/** The host's CPU generation against the catalog, the flags it must have, and its microcode and vulnerabilities. */
export function generationCase(s: CpuSettings): CaseDef {
  return {
    id: 'generation',
    title: 'CPU generation and the flags it must have',
    tags: ['cpu', 'flags'],
    readOnly: true,
    async run(ctx) {
      const found = await hostCpu(ctx, s);
      if (!found) return ctx.fail('the host did not describe its CPU (no /proc/cpuinfo, lscpu or QEMU host model)');
      const { cpu, from } = found;
      const check = checkGeneration(cpu, loadCpuCatalog(), s.requiredFlags);
      const vulns = Object.entries(ctx.host.facts.vulnerabilities ?? {});
      ctx.fact('cpuGeneration', {
        generation: check.generation?.id ?? 'unknown',
        name: check.generation?.name ?? `unknown (${check.unknownReason})`,
        qemuModel: check.generation?.qemuModel ?? null,
        identity: cpuIdentity(cpu),
        identifiedFrom: from,
        microcode: cpu.microcode ?? 'not reported',
        vulnerable: vulns.filter(([, t]) => classifyVulnerability(t) === 'vulnerable').map(([n]) => n),
        vulnerabilities: vulns.length ? Object.fromEntries(vulns) : 'not reported',
      });
      const generation = check.generation
        ? `${check.generation.name} [${check.generation.id}]`
        : `unknown generation: ${check.unknownReason}`;
      ctx.log(`CPU: ${cpuIdentity(cpu)} (from ${from}) → ${generation}`);
      ctx.metric('cpu_required_flags', check.required.length);
      if (!check.generation && !s.requiredFlags.length) return; // an unknown generation is a fact, not a failure
      ctx.check.includesAll(
        check.generation ? `flags of ${check.generation.id}` : 'flags the plan requires',
        cpu.flags ?? [],
        check.required,
      );
    },
  };
}
