import {
  errorCodeOf,
  HwqualError,
  messageOf,
  type CaseContext,
  type CaseDef,
  type HostInfo,
} from '../../src/suite-api/index.ts';
import {
  computePoolBaseline,
  loadCpuCatalog,
  usableNamedModels,
  type Expansion,
  type PoolHost,
} from '../../src/suite-api/parsers.ts';
import { hostQemuFacts } from './accel.ts';
import { controllerExpansions } from './controller-expansions.ts';
import type { QemuCpuFacts } from '../../src/suite-api/vm.ts';
import { libvirtBaselineChecks } from './libvirt-baseline.ts';
import { formatPoolTable } from './pool-table.ts';
import { planPools, poolMembers, type CpuPoolSpec, type CpuSettings } from './settings.ts';

/**
 * Each pool member's QEMU CPU facts, through its own transport (the anchor's, or a peer's). A member whose QEMU
 * could not be asked (a replayed profile without a QMP conversation, a transport missing) is missing data: the case
 * is an `error` naming every such member, never a finding about the pool.
 */
async function memberFacts(
  ctx: CaseContext,
  s: CpuSettings,
  members: HostInfo[],
): Promise<Array<{ info: HostInfo; q: QemuCpuFacts }>> {
  const settled = await Promise.allSettled(
    members.map(async (info) => {
      const transport = info.name === ctx.host.name ? ctx.transport : ctx.peer?.(info.name);
      if (!transport) throw new HwqualError('E_INTERNAL', `pool host ${info.name} has no transport in this run`);
      return { info, q: await hostQemuFacts(ctx, transport, s.accel, info.facts.arch) };
    }),
  );
  const failed = settled.flatMap((r, i) => (r.status === 'rejected' ? [{ host: members[i], err: r.reason }] : []));
  if (!failed.length)
    return settled.map((r) => (r as PromiseFulfilledResult<{ info: HostInfo; q: QemuCpuFacts }>).value);
  const unrecorded = failed.every((f) => errorCodeOf(f.err) === 'E_NOT_RECORDED');
  throw new HwqualError(
    unrecorded ? 'E_NOT_RECORDED' : errorCodeOf(failed[0].err),
    `pool ${members.map((m) => m.name).join(', ')}: cannot ask the QEMU of ${failed
      .map((f) => `${f.host.name} (${messageOf(f.err)})`)
      .join('; ')}`,
  );
}

/** Where each model's static expansion comes from: the host's own QEMU, else the controller's, labelled so. */
async function expansionLookup(
  ctx: CaseContext,
  got: Array<{ info: HostInfo; q: QemuCpuFacts }>,
): Promise<(host: string, model: string) => Expansion | undefined> {
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
  return (host, model) => {
    const q = byHost.get(host)!;
    const qemu = `${host}'s QEMU ${q.qemuVersion ?? '(version not recorded)'}`;
    if (q.expansions[model]) return { features: q.expansions[model], from: qemu };
    const c = controller?.expansions[model];
    return c ? { features: c, from: `${controller!.from}, standing in for ${qemu}` } : undefined;
  };
}

function poolHost(info: HostInfo, q: QemuCpuFacts): PoolHost {
  const qemu = `${info.name}'s QEMU ${q.qemuVersion ?? '(version not recorded)'}`;
  return {
    host: info.name,
    qemuVersion: q.qemuVersion,
    definitions: q.definitions,
    machines: q.machines,
    deprecatedMachines: q.deprecatedMachines,
    cpu: info.facts.cpu?.vendor ? info.facts.cpu : q.hostCpu,
    ...(q.accelFeatures && {
      accelFeatures: {
        features: q.accelFeatures.features,
        from: `${qemu} (${q.accelFeatures.model} model under ${q.accel})`,
      },
    }),
  };
}

/**
 * The CPU model and machine type a pool can live-migrate with (the first host of the pool runs it and asks every
 * member's QEMU). Static expansions a replayed host lacks come from the controller's QEMU, labelled so.
 */
export function poolCase(s: CpuSettings, pool: CpuPoolSpec, members: HostInfo[]): CaseDef {
  return {
    id: 'pool-baseline',
    title:
      `CPU model and machine type for live migration across pool ${pool.name} ` +
      `(${members.map((m) => m.name).join(', ')})`,
    tags: ['cpu', 'pool', 'migration'],
    params: { pool: pool.name },
    readOnly: true,
    timeoutSec: 300,
    async run(ctx) {
      if (pool.formed) ctx.log(`pool ${pool.name} formed ${pool.formed}: ${members.map((m) => m.name).join(', ')}`);
      const got = await memberFacts(ctx, s, members);
      const b = computePoolBaseline(
        got.map(({ info, q }) => poolHost(info, q)),
        await expansionLookup(ctx, got),
        loadCpuCatalog().qemuModels,
      );
      const libvirt =
        s.driver === 'libvirt'
          ? await libvirtBaselineChecks(
              ctx,
              s,
              got.map(({ info }) => ({
                info,
                transport: info.name === ctx.host.name ? ctx.transport : ctx.peer!(info.name)!,
              })),
              b,
            )
          : undefined;
      const table = formatPoolTable(pool.name, b, pool.formed);
      ctx.log(table);
      await ctx.artifact('pool.txt', table);
      await ctx.artifact('pool.json', JSON.stringify(b, null, 2));
      ctx.fact(`cpuPool.${pool.name}`, {
        ...b,
        machineType: b.machineType ?? b.machineNote,
        ...(pool.formed && { formed: pool.formed }),
        ...(libvirt && { libvirt }),
      });
      ctx.metric('pool_hosts', b.hosts.length);
      ctx.metric('pool_max_lost_features', Math.max(0, ...b.rows.map((r) => r.lost.length)));
      if (b.missing.length) {
        const replayed = members.some((m) => m.replayed);
        throw new HwqualError(
          replayed ? 'E_NOT_RECORDED' : 'E_VM',
          `cannot judge pool ${pool.name}: ${b.missing.join('; ')}`,
        );
      }
      ctx.check.ok('a CPU model every host can run', b.problems.length === 0, {
        expected: "a named model of the pool's CPU vendor usable on every host",
        actual: b.problems.join('; ') || 'none',
        message: b.problems.join('; '),
      });
      for (const r of b.regressions) {
        ctx.check.ok(`${r.model} on ${r.unusableOn}`, false, {
          expected: 'usable',
          actual: r.blocking.join(' '),
          message:
            `${r.model} runs on ${r.usableOn} but not on ${r.unusableOn} (same CPU, newer QEMU): ` +
            `blocked by ${r.blocking.join(', ')}`,
        });
      }
    },
  };
}

/** The pools this host anchors (it is the first member): one case each. */
export function poolCases(s: CpuSettings, host: HostInfo, all: readonly HostInfo[]): CaseDef[] {
  return planPools(s, all).flatMap((pool) => {
    const members = poolMembers(pool, all);
    return members[0]?.name === host.name ? [poolCase(s, pool, members)] : [];
  });
}
