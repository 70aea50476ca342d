import { messageOf, type CaseContext } from '../../src/suite-api/index.ts';
import { computePoolBaseline, loadCpuCatalog, type PoolBaseline } from '../../src/suite-api/parsers.ts';
import { qemuBinaryFor, qemuCpuFactsOnce, type Accel } from '../../src/suite-api/vm.ts';

/**
 * The CPU model of a migration guest: the plan's `cpuModel`, else the pool baseline (the richest named model every
 * host of the migration pool can run under the accelerator used, computed by src/probe/pool-baseline.ts from each
 * host's own QEMU), else FALLBACK_CPU_MODEL with the reason. Both ends of every hop get the same model.
 */
export interface CpuModelChoice {
  model: string;
  /** `plan`, `pool baseline of node-a,node-b`, or `fallback`. */
  source: string;
  /** Why the fallback was taken. */
  reason?: string;
  /** The pool and accelerator the baseline was computed for. */
  pool?: string[];
  accel?: Accel;
  /** Where the baseline model's static expansion came from. */
  expansionFrom?: string;
}

/**
 * QEMU's own default x86-64 model: named, migration-safe, and usable under TCG and KVM on every x86-64 host QEMU
 * runs on — the model a guest gets when nothing better is known. Not `max`/`host` (not migration-safe across hosts).
 */
export const FALLBACK_CPU_MODEL = 'qemu64';

/** Pure: the choice from the plan's model, the pool and its baseline (or why there is none). */
export function chooseCpuModel(
  planModel: string | undefined,
  pool: { hosts: readonly string[]; accel?: Accel; baseline?: PoolBaseline; error?: string },
): CpuModelChoice {
  if (planModel) return { model: planModel, source: 'plan' };
  const b = pool.baseline;
  if (b?.model && !pool.error) {
    return {
      model: b.model,
      source: `pool baseline of ${pool.hosts.join(',')}`,
      pool: [...pool.hosts],
      ...(pool.accel && { accel: pool.accel }),
      ...(b.expansionFrom && { expansionFrom: b.expansionFrom }),
    };
  }
  const found = [...(b?.problems ?? []), ...(b?.missing ?? [])];
  const why = pool.error ?? (found.length ? found.join('; ') : 'the baseline named no model');
  return {
    model: FALLBACK_CPU_MODEL,
    source: 'fallback',
    reason: `no pool baseline of ${pool.hosts.join(',')}: ${why}`,
    pool: [...pool.hosts],
    ...(pool.accel && { accel: pool.accel }),
  };
}

/**
 * The migration pool: every host the plan's pairs name, in lab order. A guest of a real cloud may land on any host
 * of the pool (Nova's `cpu_models` is one setting for all of them), so every pair gets the pool's model, not the
 * richer model of its two hosts alone: a guest started with a pair's model could not move on to a third host.
 */
export function migrationPool(pairs: ReadonlyArray<readonly [string, string]>, labOrder: readonly string[]): string[] {
  const named = new Set(pairs.flat());
  return [...labOrder.filter((h) => named.has(h)), ...[...named].filter((h) => !labOrder.includes(h)).sort()];
}

/**
 * Ask each pool host's QEMU (through its transport, under `accel`) and compute the baseline. Never throws: a failure is
 * the fallback's reason.
 */
export async function resolveCpuModel(
  ctx: CaseContext,
  planModel: string | undefined,
  pool: readonly string[],
  accel: Accel,
): Promise<CpuModelChoice> {
  if (planModel) return chooseCpuModel(planModel, { hosts: pool });
  try {
    const facts = await Promise.all(
      pool.map((name) => {
        const transport = name === ctx.host.name ? ctx.transport : ctx.peer?.(name);
        if (!transport) throw new Error(`host ${name} has no transport in this run`);
        const arch = ctx.plan.hosts?.find((h) => h.name === name)?.facts.arch;
        return qemuCpuFactsOnce(transport, accel, { qemuBinary: qemuBinaryFor(arch), signal: ctx.signal });
      }),
    );
    const byHost = new Map(facts.map((q, i) => [pool[i], q]));
    const baseline = computePoolBaseline(
      facts.map((q, i) => ({
        host: pool[i],
        qemuVersion: q.qemuVersion,
        definitions: q.definitions,
        machines: q.machines,
        // The CPU vendor picks the candidate models (pool-rank.ts): the host's facts, else QEMU's host model.
        cpu: ctx.plan.hosts?.find((h) => h.name === pool[i])?.facts.cpu ?? q.hostCpu,
      })),
      (host, model) => {
        const q = byHost.get(host)!;
        const e = q.expansions[model];
        return e
          ? { features: e, from: `${host}'s QEMU ${q.qemuVersion ?? '(version not recorded)'} (${accel})` }
          : undefined;
      },
      loadCpuCatalog().qemuModels,
    );
    return chooseCpuModel(undefined, { hosts: pool, accel, baseline });
  } catch (err) {
    return chooseCpuModel(undefined, { hosts: pool, accel, error: messageOf(err) });
  }
}
