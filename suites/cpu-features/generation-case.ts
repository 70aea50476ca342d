import type { CaseContext, CaseDef, CpuFacts } from '../../src/suite-api/index.ts';
import { errorCodeOf, HwqualError, messageOf, readCommand } from '../../src/suite-api/index.ts';
import {
  CMD,
  checkGeneration,
  classifyVulnerability,
  cpuIdentity,
  detectVirtualisation,
  joinWhy,
  loadCpuCatalog,
  parseLscpuText,
  virtualNote,
  whyFactUnknown,
} from '../../src/suite-api/parsers.ts';
import { hostQemuFacts } from './accel.ts';
import type { CpuSettings } from './settings.ts';

/**
 * Which CPU the host has: from its facts (/proc/cpuinfo, lscpu -J), else its plain `lscpu` (older util-linux, or a
 * profile made from such a dump), else — a replayed QMP-only host — QEMU's `host` model expansion. `why` says what
 * each source gave when none described the CPU.
 */
async function hostCpu(
  ctx: CaseContext,
  s: CpuSettings,
): Promise<{ cpu?: CpuFacts; from?: string; why: string[]; unrecorded: boolean; lscpuHypervisor?: string }> {
  const cpu = ctx.host.facts.cpu;
  if (cpu && (cpu.family !== undefined || cpu.arm) && cpu.flags?.length)
    return { cpu, from: '/proc/cpuinfo or lscpu', why: [], unrecorded: false };
  const plain = await readCommand(ctx, CMD.lscpu);
  const parsed = plain.text ? parseLscpuText(plain.text) : undefined;
  if (parsed && parsed.cpu.family !== undefined && parsed.cpu.flags?.length)
    return { cpu: parsed.cpu, from: 'lscpu', why: [], unrecorded: false, lscpuHypervisor: parsed.hypervisorVendor };
  const why = [plain.why ?? '`lscpu` names no CPU family and flags'];
  let unrecorded = !!plain.unrecorded;
  if (ctx.host.replayed) {
    try {
      const q = await hostQemuFacts(ctx, ctx.transport, s.accel, ctx.host.facts.arch);
      if (q.hostCpu) {
        const { vendor, family, model, stepping, modelName, flags } = q.hostCpu;
        return {
          cpu: { vendor, family, model, stepping, modelName, flags },
          from: "QEMU's host CPU model expansion under KVM (no /proc/cpuinfo recorded)",
          why: [],
          unrecorded: false,
        };
      }
      why.push('the recorded QMP conversation has no host model expansion');
    } catch (err) {
      why.push(messageOf(err));
      unrecorded ||= errorCodeOf(err) === 'E_NOT_RECORDED';
    }
  }
  return { why, unrecorded };
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
      if (!found.cpu) {
        const facts = whyFactUnknown(ctx.host.facts, 'cpu');
        const why = joinWhy([...(facts ? [facts] : []), ...found.why]);
        // A profile that holds none of it is missing data (an error), not a host without a CPU.
        if (ctx.host.replayed && (found.unrecorded || facts?.startsWith('not recorded')))
          throw new HwqualError('E_NOT_RECORDED', `the profile does not describe the CPU: ${why}`);
        return ctx.fail(`the host did not describe its CPU: ${why}`);
      }
      const { cpu, from = '' } = found;
      const check = checkGeneration(cpu, loadCpuCatalog(), s.requiredFlags);
      const vulns = Object.entries(ctx.host.facts.vulnerabilities ?? {});
      // A VM's CPU is what its hypervisor exposes: the identity may be real, the flags are the hypervisor's choice.
      // (QEMU's host model is a guest's CPU: its hypervisor flag says nothing about the host.)
      const virtual =
        ctx.host.facts.virtualised ??
        (from === 'lscpu'
          ? detectVirtualisation({ cpuFlags: cpu.flags, lscpuHypervisor: found.lscpuHypervisor })
          : undefined);
      const seen = virtualNote(virtual);
      ctx.fact('cpuGeneration', {
        generation: check.generation?.id ?? 'unknown',
        name: check.generation?.name ?? `unknown (${check.unknownReason})`,
        qemuModel: check.generation?.qemuModel ?? null,
        identity: cpuIdentity(cpu),
        identifiedFrom: from,
        microcode: cpu.microcode ?? 'not reported',
        vulnerable: vulns.filter(([, t]) => classifyVulnerability(t) === 'vulnerable').map(([n]) => n),
        vulnerabilities: vulns.length ? Object.fromEntries(vulns) : 'not reported',
        ...(seen && { virtualised: virtual!.kind, seenThrough: `${seen}: identity and flags` }),
      });
      const generation = check.generation
        ? `${check.generation.name} [${check.generation.id}]`
        : `unknown generation: ${check.unknownReason}`;
      ctx.log(`CPU: ${cpuIdentity(cpu)} (from ${from}${seen ? `, ${seen}` : ''}) → ${generation}`);
      ctx.metric('cpu_required_flags', check.required.length);
      if (!check.generation && !s.requiredFlags.length) return; // an unknown generation is a fact, not a failure
      const flagsOf = check.generation ? `flags of ${check.generation.id}` : 'flags the plan requires';
      ctx.check.includesAll(`${flagsOf}${seen ? ` (${seen})` : ''}`, cpu.flags ?? [], check.required);
    },
  };
}
