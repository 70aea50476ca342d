import type { CaseContext, Transport } from '../../src/suite-api/index.ts';
import {
  qemuBinaryFor,
  qemuCpuFactsOnce,
  resolveAccel,
  type Accel,
  type AccelChoice,
  type QemuCpuFacts,
} from '../../src/suite-api/vm.ts';

/**
 * The accelerator whose answers count for a host. A replayed host answers with what it recorded (its KVM session:
 * the public QMP dumps were taken under KVM), whatever the plan says; a live one gets the plan's choice, and `auto`
 * means KVM only where a tiny guest really boots under it (src/vm/accel.ts, probed once per host).
 */
export async function accelFor(transport: Transport, choice: AccelChoice, signal?: AbortSignal): Promise<Accel> {
  if (transport.kind === 'replay') return 'kvm';
  return (await resolveAccel(transport, choice, { signal })).accel;
}

/** This host's QEMU CPU facts (shared by the cases of one run). */
export async function hostQemuFacts(
  ctx: Pick<CaseContext, 'signal' | 'host'>,
  transport: Transport,
  choice: AccelChoice,
  arch?: string,
): Promise<QemuCpuFacts> {
  const accel = await accelFor(transport, choice, ctx.signal);
  return qemuCpuFactsOnce(transport, accel, { qemuBinary: qemuBinaryFor(arch), signal: ctx.signal });
}
