import type { CaseContext, CaseDef, CpuFacts, HostExpect } from '../../src/suite-api/index.ts';
import {
  CMD,
  countNumaNodes,
  parseCpuinfo,
  parseLscpuJson,
  parseLscpuText,
  type LscpuFacts,
} from '../../src/suite-api/parsers.ts';
import { probe } from './read.ts';

/** lscpu -J, else plain lscpu (no JSON before util-linux 2.23 / busybox hosts). */
async function readLscpu(ctx: CaseContext): Promise<LscpuFacts | undefined> {
  const json = await probe(ctx, CMD.lscpuJson);
  if (json) {
    try {
      return parseLscpuJson(json);
    } catch {
      ctx.log('lscpu -J gave no JSON; trying plain lscpu');
    }
  }
  const text = await probe(ctx, CMD.lscpu);
  return text ? parseLscpuText(text) : undefined;
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
        const lscpu = await readLscpu(ctx);
        const cpuinfo = parseCpuinfo((await probe(ctx, CMD.cpuinfo)) ?? '');
        const cpu: CpuFacts = { ...cpuinfo, ...lscpu?.cpu };
        if (!cpu.vendor && !cpu.modelName) return ctx.fail('neither lscpu nor /proc/cpuinfo describes the CPU');
        const cores =
          cpu.sockets !== undefined && cpu.coresPerSocket !== undefined ? cpu.sockets * cpu.coresPerSocket : undefined;
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
        });
        if (cpu.sockets !== undefined) ctx.metric('cpu_sockets', cpu.sockets);
        if (cores !== undefined) ctx.metric('cpu_cores', cores);
        if (cpu.threads !== undefined) ctx.metric('cpu_threads', cpu.threads);
        if (want?.vendor !== undefined) ctx.check.equal('CPU vendor', cpu.vendor, want.vendor);
        if (want?.model !== undefined) ctx.check.match('CPU model', cpu.modelName, new RegExp(want.model));
        if (want?.sockets !== undefined) ctx.check.equal('sockets', cpu.sockets, want.sockets);
        if (want?.cores !== undefined) ctx.check.equal('cores (all sockets)', cores, want.cores);
        if (want?.threads !== undefined) ctx.check.equal('threads (logical CPUs)', cpu.threads, want.threads);
      },
    },
    {
      id: 'cpu-flags',
      title: 'CPU flags the lab expects',
      tags: ['inventory', 'cpu'],
      readOnly: true,
      async run(ctx) {
        const flags = parseCpuinfo((await probe(ctx, CMD.cpuinfo)) ?? '').flags ?? (await readLscpu(ctx))?.cpu.flags;
        if (!flags?.length) return ctx.fail('no CPU flags in /proc/cpuinfo or lscpu');
        ctx.metric('cpu_flags', flags.length);
        if (expect?.flags?.length) ctx.check.includesAll('CPU flags', flags, expect.flags);
      },
    },
    {
      id: 'numa',
      title: 'NUMA nodes',
      tags: ['inventory', 'memory'],
      readOnly: true,
      async run(ctx) {
        const listing = await probe(ctx, CMD.numaNodes);
        const nodes = listing ? countNumaNodes(listing) : (await readLscpu(ctx))?.numaNodes;
        if (!nodes) {
          if (expect?.numaNodes !== undefined)
            return ctx.fail('NUMA topology unreadable', expect.numaNodes, '(unreadable)');
          return ctx.skip('no /sys/devices/system/node and lscpu reports no NUMA nodes');
        }
        ctx.metric('numa_nodes', nodes);
        if (expect?.numaNodes !== undefined) ctx.check.equal('NUMA nodes', nodes, expect.numaNodes);
      },
    },
  ];
}
