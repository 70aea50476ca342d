import { errorCodeOf, messageOf } from '../../src/model/errors.ts';
import { computePoolBaseline, type Expansion, type PoolHost } from '../../src/probe/pool-baseline.ts';
import { loadCpuCatalog } from '../../src/probe/cpu-catalog-file.ts';
import { usableNamedModels } from '../../src/probe/qmp-cpu.ts';
import type { CaseContext, CaseDef, HostInfo } from '../../src/suite-api/index.ts';
import { hostQemuFacts } from './accel.ts';
import { controllerExpansions } from './controller-expansions.ts';
import type { QemuCpuFacts } from './qemu-cpu-facts.ts';
import { libvirtBaselineChecks } from './libvirt-baseline.ts';
import { formatPoolTable } from './pool-table.ts';
import { poolMembers, type CpuPoolSpec, type CpuSettings } from './settings.ts';

/** Each pool member's QEMU CPU facts, through its own transport (the anchor's, or a peer's). */
async function memberFacts(
  ctx: CaseContext,
  s: CpuSettings,
  members: HostInfo[],
): Promise<Array<{ info: HostInfo; q: QemuCpuFacts }>> {
  return Promise.all(
    members.map(async (info) => {
      const transport = info.name === ctx.host.name ? ctx.transport : ctx.peer?.(info.name);
      if (!transport) return ctx.fail(`pool host ${info.name} has no transport in this run`);
      try {
        return { info, q: await hostQemuFacts(ctx, transport, s.accel, info.facts.arch) };
      } catch (err) {
        if (errorCodeOf(err) === 'E_NOT_RECORDED')
          return ctx.fail(`pool host ${info.name} recorded no QMP conversation: ${messageOf(err)}`);
        throw err;
      }
    }),
  );
}

/**
 * The CPU model and machine type a pool can live-migrate with (the first host of the pool runs it and asks every
 * member's QEMU). Static expansions a replayed host lacks come from the controller's QEMU, labelled so.
 */
export function poolCase(s: CpuSettings, pool: CpuPoolSpec, members: HostInfo[]): CaseDef {
  return {
    id: 'pool-baseline',
    title: `CPU model and machine type for live migration across pool ${pool.name} (${members.map((m) => m.name).join(', ')})`,
    tags: ['cpu', 'pool', 'migration'],
    params: { pool: pool.name },
    readOnly: true,
    timeoutSec: 300,
    async run(ctx) {
      const got = await memberFacts(ctx, s, members);
      const missing = [
        ...new Set(got.flatMap(({ q }) => usableNamedModels(q.definitions).filter((m) => !q.expansions[m]))),
      ];
      const controller = missing.length
        ? await controllerExpansions(missing, ctx.signal).catch((err) => {
            ctx.log(`controller QEMU: ${messageOf(err)}`);
            return undefined;
          })
        : undefined;
      const byHost = new Map(got.map(({ info, q }) => [info.name, q]));
      const lookup = (host: string, model: string): Expansion | undefined => {
        const q = byHost.get(host)!;
        if (q.expansions[model])
          return { features: q.expansions[model], from: `${host}'s QEMU ${q.qemuVersion ?? '(version not recorded)'}` };
        const c = controller?.expansions[model];
        return c
          ? {
              features: c,
              from: `${controller!.from}, standing in for ${host}'s QEMU ${q.qemuVersion ?? '(version not recorded)'}`,
            }
          : undefined;
      };
      const hosts: PoolHost[] = got.map(({ info, q }) => ({
        host: info.name,
        qemuVersion: q.qemuVersion,
        definitions: q.definitions,
        machines: q.machines,
        cpu: info.facts.cpu?.family !== undefined ? info.facts.cpu : q.hostCpu,
      }));
      const b = computePoolBaseline(hosts, lookup, loadCpuCatalog().qemuModels);
      if (s.driver === 'libvirt')
        await libvirtBaselineChecks(
          ctx,
          s,
          got.map(({ info }) => ({
            info,
            transport: info.name === ctx.host.name ? ctx.transport : ctx.peer!(info.name)!,
          })),
          b,
        );
      const table = formatPoolTable(pool.name, b);
      ctx.log(table);
      await ctx.artifact('pool.txt', table);
      await ctx.artifact('pool.json', JSON.stringify(b, null, 2));
      ctx.fact(`cpuPool.${pool.name}`, { ...b, machineType: b.machineType ?? b.machineNote });
      ctx.metric('pool_hosts', b.hosts.length);
      ctx.metric('pool_max_lost_features', Math.max(0, ...b.rows.map((r) => r.lost.length)));
      ctx.check.ok('a CPU model every host can run', b.problems.length === 0, {
        expected: 'a named model usable on every host',
        actual: b.problems.join('; ') || 'none',
        message: b.problems.join('; '),
      });
      for (const r of b.regressions) {
        ctx.check.ok(`${r.model} on ${r.unusableOn}`, false, {
          expected: 'usable',
          actual: r.blocking.join(' '),
          message: `${r.model} runs on ${r.usableOn} but not on ${r.unusableOn} (same CPU, newer QEMU): blocked by ${r.blocking.join(', ')}`,
        });
      }
    },
  };
}

/** The pools this host anchors (it is the first member): one case each. */
export function poolCases(s: CpuSettings, host: HostInfo, all: readonly HostInfo[]): CaseDef[] {
  return s.pools.flatMap((pool) => {
    const members = poolMembers(pool, all);
    return members[0]?.name === host.name ? [poolCase(s, pool, members)] : [];
  });
}
