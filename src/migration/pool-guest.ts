import { messageOf } from '../model/errors.ts';
import { loadCpuCatalog } from '../probe/cpu-catalog-file.ts';
import { computePoolBaseline, type PoolBaseline, type PoolHost } from '../probe/pool-baseline.ts';
import type { Transport } from '../transport/types.ts';
import { qemuBinaryFor, qemuCpuFactsOnce } from '../vm/qemu-cpu-facts.ts';
import type { Accel } from '../vm/spec.ts';

/**
 * The guest a migration pool can move between any two of its hosts: the CPU model and the machine type. A guest of a
 * real cloud may land on any host of its pool (Nova's `cpu_models` is one setting for all of them), so both come from
 * the pool's baseline (src/probe/pool-baseline.ts: each host's own QEMU asked under the accelerator the guest uses),
 * not from the two hosts of one migration. A plan may name either; the choice says where it came from.
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

/** The machine type both ends of every migration start the guest with, and why that one. */
export interface MachineChoice {
  machine: string;
  /** `plan`, `pool baseline of node-a,node-b`, or `fallback`. */
  source: string;
  reason?: string;
}

/**
 * QEMU's own default x86-64 model: named, migration-safe, and usable under TCG and KVM on every x86-64 host QEMU
 * runs on — the model a guest gets when nothing better is known. Not `max`/`host` (not migration-safe across hosts).
 */
export const FALLBACK_CPU_MODEL = 'qemu64';
/** hwqual's default machine type (src/vm/qemu-args.ts): each QEMU's newest q35, which differs between QEMU versions. */
export const FALLBACK_MACHINE = 'q35';

export interface PoolView {
  hosts: readonly string[];
  accel?: Accel;
  baseline?: PoolBaseline;
  /** Why there is no baseline (a host could not be asked). */
  error?: string;
}

/** Pure: the choice from the plan's model, the pool and its baseline (or why there is none). */
export function chooseCpuModel(planModel: string | undefined, pool: PoolView): CpuModelChoice {
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
 * Pure: the plan's machine type, else the newest q35 type every host's QEMU offers. When every host listed its
 * machine types and none is common, there is no machine type the pool can migrate with (`none`, naming the hosts and
 * their newest); when the types could not be asked, the fallback with the reason.
 */
export function chooseMachine(planMachine: string | undefined, pool: PoolView): MachineChoice | { none: string } {
  if (planMachine) return { machine: planMachine, source: 'plan' };
  const b = pool.baseline;
  const each = (b?.rows ?? []).map((r) => `${r.host} (QEMU ${r.qemuVersion}: newest ${r.newestQ35 ?? 'not recorded'})`);
  if (b?.machineType && !pool.error)
    return {
      machine: b.machineType,
      source: `pool baseline of ${pool.hosts.join(',')}`,
      reason: `the newest q35 machine type every host's QEMU offers: ${each.join(', ')}`,
    };
  if (b && !pool.error && b.rows.length && b.rows.every((r) => r.newestQ35 !== undefined))
    return { none: `no q35 machine type is offered by every host of the pool: ${each.join(', ')}` };
  return {
    machine: FALLBACK_MACHINE,
    source: 'fallback',
    reason:
      `no pool machine type of ${pool.hosts.join(',')}: ${pool.error ?? b?.machineNote ?? 'not asked'}; ` +
      "each QEMU's newest q35, which a QEMU of another version may not offer",
  };
}

/** A pool host as the pool baseline needs it: its name, how to reach it, and what its facts say of its CPU. */
export interface PoolMember {
  name: string;
  transport: Transport;
  /** `uname -m`, for the QEMU binary (x86_64 when unknown). */
  arch?: string;
  /** The CPU vendor picks the candidate models; without it, QEMU's host model is asked. */
  cpu?: PoolHost['cpu'];
}

/**
 * Ask each member's QEMU (through its transport, under `accel`; one probe per transport and accelerator) and compute
 * the pool baseline. Never throws: a failure is the view's `error`.
 */
export async function poolView(members: readonly PoolMember[], accel: Accel, signal?: AbortSignal): Promise<PoolView> {
  const hosts = members.map((m) => m.name);
  try {
    const facts = await Promise.all(
      members.map((m) => qemuCpuFactsOnce(m.transport, accel, { qemuBinary: qemuBinaryFor(m.arch), signal })),
    );
    const byHost = new Map(facts.map((q, i) => [hosts[i], q]));
    const baseline = computePoolBaseline(
      facts.map((q, i) => ({
        host: hosts[i]!,
        qemuVersion: q.qemuVersion,
        definitions: q.definitions,
        machines: q.machines,
        cpu: members[i]!.cpu ?? q.hostCpu,
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
    return { hosts, accel, baseline };
  } catch (err) {
    return { hosts, accel, error: messageOf(err) };
  }
}

/** The pool's guest: CPU model and machine type, from the plan where it names them, else from the pool baseline. */
export async function poolGuest(
  members: readonly PoolMember[],
  accel: Accel,
  plan: { cpuModel?: string; machine?: string } = {},
  signal?: AbortSignal,
): Promise<{ cpu: CpuModelChoice; machine: MachineChoice | { none: string }; view: PoolView }> {
  const hosts = members.map((m) => m.name);
  const view: PoolView = plan.cpuModel && plan.machine ? { hosts, accel } : await poolView(members, accel, signal);
  return { cpu: chooseCpuModel(plan.cpuModel, view), machine: chooseMachine(plan.machine, view), view };
}
