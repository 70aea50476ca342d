import type { CaseContext, CaseDef, CpuFacts, HostExpect } from '../../src/suite-api/index.ts';
import { HwqualError } from '../../src/suite-api/index.ts';
import {
  CMD,
  checkTopology,
  countNumaNodes,
  cpuinfoTopology,
  detectVirtualisation,
  joinWhy,
  parseCpuinfo,
  parseLscpuJson,
  parseLscpuText,
  virtualNote,
  type LscpuFacts,
  type Virtualisation,
} from '../../src/suite-api/parsers.ts';
import { readCommand } from './read.ts';

/** lscpu -J, else plain lscpu (no JSON before util-linux 2.23 / busybox hosts); `why` says what each gave. */
async function readLscpu(ctx: CaseContext): Promise<{ lscpu?: LscpuFacts; why: string[] }> {
  const json = await readCommand(ctx, CMD.lscpuJson);
  if (json.text) {
    try {
      return { lscpu: parseLscpuJson(json.text), why: [] };
    } catch {
      ctx.log('lscpu -J gave no JSON; trying plain lscpu');
    }
  }
  const text = await readCommand(ctx, CMD.lscpu);
  if (text.text) return { lscpu: parseLscpuText(text.text), why: [] };
  return { why: [json.why, text.why].filter((w): w is string => !!w) };
}

/** ` (as the kvm hypervisor exposes it)` after a check name on a virtual host; empty otherwise. */
const seen = (v: Virtualisation | undefined) => {
  const note = virtualNote(v);
  return note ? ` (${note})` : '';
};

/**
 * The host's facts say whether it is a VM; a profile without them (a plain `lscpu` dump) is judged from the case's
 * reads.
 */
function virtualisation(ctx: CaseContext, cpu: CpuFacts, lscpu?: LscpuFacts): Virtualisation | undefined {
  return (
    ctx.host.facts.virtualised ??
    detectVirtualisation({
      cpuFlags: cpu.arm || !cpu.flags?.length ? undefined : cpu.flags,
      lscpuHypervisor: lscpu?.hypervisorVendor,
    })
  );
}

export function cpuCases(expect: HostExpect | undefined): CaseDef[] {
  const want = expect?.cpu;
  return [
    {
      id: 'cpu',
      title: 'CPU vendor, model, sockets, cores and threads',
      tags: ['inventory', 'cpu'],
      readOnly: true,
      async run(ctx) {
        const { lscpu, why } = await readLscpu(ctx);
        const raw = await readCommand(ctx, CMD.cpuinfo);
        const cpuinfo = parseCpuinfo(raw.text ?? '');
        const cpu: CpuFacts = { ...cpuinfo, ...lscpu?.cpu };
        if (!cpu.vendor && !cpu.modelName)
          return ctx.fail(
            `neither lscpu nor /proc/cpuinfo describes the CPU (${joinWhy([...why, raw.why ?? ''].filter(Boolean))})`,
          );
        const cores =
          cpu.sockets !== undefined && cpu.coresPerSocket !== undefined ? cpu.sockets * cpu.coresPerSocket : undefined;
        const topology = checkTopology(raw.text ? cpuinfoTopology(raw.text) : undefined, lscpu?.topology);
        const virtual = virtualisation(ctx, cpu, lscpu);
        ctx.fact('cpu', {
          vendor: cpu.vendor,
          model: cpu.modelName,
          family: cpu.family,
          modelNumber: cpu.model,
          stepping: cpu.stepping,
          sockets: cpu.sockets,
          coresPerSocket: cpu.coresPerSocket,
          cores,
          threadsPerCore: cpu.threadsPerCore,
          threads: cpu.threads,
          ...(topology && { topologyConsistent: topology.consistent }),
          ...(topology?.problems.length && { topologyProblems: topology.problems }),
          ...(virtual &&
            virtual.kind !== 'none' && {
              virtualised: virtual.kind,
              seenThrough:
                `a ${virtual.kind} virtual machine: sockets, cores, threads and flags are what the ` +
                `hypervisor exposes, not the server's`,
            }),
        });
        if (virtual && virtual.kind !== 'none')
          ctx.log(
            `this host is a ${virtual.kind} VM (${virtual.evidence.join('; ')}): its CPU is what the hypervisor ` +
              `exposes`,
          );
        for (const p of topology?.problems ?? []) ctx.log(`topology: ${p}`);
        if (cpu.sockets !== undefined) ctx.metric('cpu_sockets', cpu.sockets);
        if (cores !== undefined) ctx.metric('cpu_cores', cores);
        if (cpu.threads !== undefined) ctx.metric('cpu_threads', cpu.threads);
        const counted = [want?.sockets, want?.cores, want?.threads].some((v) => v !== undefined);
        if (counted && topology && !topology.consistent)
          throw new HwqualError(
            'E_INCONSISTENT',
            `cannot judge the expected CPU counts: the host's topology contradicts itself ` +
              `(${topology.problems.join('; ')})`,
            { host: ctx.host.name },
          );
        const v = seen(virtual);
        if (want?.vendor !== undefined) ctx.check.equal('CPU vendor', cpu.vendor, want.vendor);
        if (want?.model !== undefined) ctx.check.match('CPU model', cpu.modelName, new RegExp(want.model));
        if (want?.sockets !== undefined) ctx.check.equal(`sockets${v}`, cpu.sockets, want.sockets);
        if (want?.cores !== undefined) ctx.check.equal(`cores (all sockets)${v}`, cores, want.cores);
        if (want?.threads !== undefined) ctx.check.equal(`threads (logical CPUs)${v}`, cpu.threads, want.threads);
      },
    },
    {
      id: 'cpu-flags',
      title: 'CPU flags the lab expects',
      tags: ['inventory', 'cpu'],
      readOnly: true,
      async run(ctx) {
        const raw = await readCommand(ctx, CMD.cpuinfo);
        const fromCpuinfo = parseCpuinfo(raw.text ?? '').flags;
        const { lscpu, why } = fromCpuinfo?.length ? { lscpu: undefined, why: [] } : await readLscpu(ctx);
        const flags = fromCpuinfo?.length ? fromCpuinfo : lscpu?.cpu.flags;
        if (!flags?.length)
          return ctx.fail(
            `no CPU flags in /proc/cpuinfo or lscpu (${joinWhy([raw.why ?? '', ...why].filter(Boolean))})`,
          );
        ctx.metric('cpu_flags', flags.length);
        const v = seen(virtualisation(ctx, { ...lscpu?.cpu, flags }, lscpu));
        if (expect?.flags?.length) ctx.check.includesAll(`CPU flags${v}`, flags, expect.flags);
      },
    },
    {
      id: 'numa',
      title: 'NUMA nodes',
      tags: ['inventory', 'memory'],
      readOnly: true,
      async run(ctx) {
        const listing = await readCommand(ctx, CMD.numaNodes);
        const fromSysfs = listing.text ? countNumaNodes(listing.text) : undefined;
        const { lscpu, why } = fromSysfs ? { lscpu: undefined, why: [] } : await readLscpu(ctx);
        const nodes = fromSysfs || lscpu?.numaNodes;
        if (!nodes) {
          const reasons = joinWhy([listing.why ?? '/sys/devices/system/node lists no node', ...why]);
          if (expect?.numaNodes !== undefined)
            return ctx.fail(`NUMA topology unreadable (${reasons})`, expect.numaNodes, '(unreadable)');
          return ctx.skip(`no NUMA topology: ${reasons}${lscpu ? '; lscpu reports no NUMA nodes' : ''}`);
        }
        ctx.metric('numa_nodes', nodes);
        if (expect?.numaNodes !== undefined) ctx.check.equal('NUMA nodes', nodes, expect.numaNodes);
      },
    },
  ];
}
