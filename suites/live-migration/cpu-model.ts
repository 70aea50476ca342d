import type { CaseContext } from '../../src/suite-api/index.ts';
import {
  chooseCpuModel,
  chooseMachine,
  poolGuest,
  type CpuModelChoice,
  type MachineChoice,
  type PoolMember,
} from '../../src/suite-api/migration.ts';
import type { Accel } from '../../src/suite-api/vm.ts';

export {
  chooseCpuModel,
  chooseMachine,
  FALLBACK_CPU_MODEL,
  type CpuModelChoice,
} from '../../src/suite-api/migration.ts';

/**
 * The migration pool: every host the plan's pairs name, in lab order. A guest of a real cloud may land on any host
 * of the pool (Nova's `cpu_models` is one setting for all of them), so every pair gets the pool's model and machine
 * type, not the richer ones of its two hosts alone: a guest started with a pair's model could not move on to a third
 * host.
 */
export function migrationPool(pairs: ReadonlyArray<readonly [string, string]>, labOrder: readonly string[]): string[] {
  const named = new Set(pairs.flat());
  return [...labOrder.filter((h) => named.has(h)), ...[...named].filter((h) => !labOrder.includes(h)).sort()];
}

/**
 * The guest's CPU model and machine type for a case: the plan's `cpuModel` / `machine`, else the pool baseline
 * (src/migration/pool-guest.ts) of `pool` asked through the run's transports under `accel`. Never throws: a host
 * that cannot be asked is the fallback's reason; `machine.none` says the pool has no common machine type.
 */
export async function resolvePoolGuest(
  ctx: CaseContext,
  plan: { cpuModel?: string; machine?: string },
  pool: readonly string[],
  accel: Accel,
): Promise<{ cpu: CpuModelChoice; machine: MachineChoice | { none: string } }> {
  const members: PoolMember[] = [];
  for (const name of pool) {
    const transport = name === ctx.host.name ? ctx.transport : ctx.peer?.(name);
    if (!transport) {
      const view = { hosts: pool, accel, error: `host ${name} has no transport in this run` };
      return { cpu: chooseCpuModel(plan.cpuModel, view), machine: chooseMachine(plan.machine, view) };
    }
    const facts = ctx.plan.hosts?.find((h) => h.name === name)?.facts;
    members.push({ name, transport, arch: facts?.arch, cpu: facts?.cpu });
  }
  return poolGuest(members, accel, plan, ctx.signal);
}
