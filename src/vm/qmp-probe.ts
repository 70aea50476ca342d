import { HwqualError } from '../model/errors.ts';
import type { Transport } from '../transport/types.ts';
import type { Accel } from './spec.ts';
import { QmpClient } from './qmp-client.ts';
import { launchVm } from './vm.ts';

export interface QmpProbe {
  qmp: QmpClient;
  /** live: a QEMU started for the questions; replayed: the recorded conversation of a replayed host. */
  mode: 'live' | 'replayed';
  close(): Promise<void>;
}

/**
 * A QEMU to ask CPU questions, with no guest: `-machine none` under the given accelerator, started through the VM
 * driver and torn down by close(). A replayed host cannot start QEMU: its profile's recorded QMP conversation
 * answers instead (the socket named after the accelerator, `kvm` or `tcg`; profiles map `*` to their KVM session),
 * and nothing is executed on it.
 */
export async function openQmpProbe(
  transport: Transport,
  o: {
    accel: Accel;
    qemuBinary?: string;
    signal?: AbortSignal;
    /** The VM's name before `-<accel>` (default cpu-probe). */
    name?: string;
  },
): Promise<QmpProbe> {
  if (transport.kind === 'replay') {
    const stream = await transport.forwardUnixSocket(o.accel, { signal: o.signal, timeoutMs: 10_000 });
    const qmp = await QmpClient.connect(stream, { host: transport.host, timeoutMs: 10_000, signal: o.signal });
    return { qmp, mode: 'replayed', close: async () => qmp.close() };
  }
  const vm = await launchVm(
    transport,
    {
      name: `${o.name ?? 'cpu-probe'}-${o.accel}`,
      machine: 'none',
      accel: o.accel,
      memoryMiB: 64,
      qemuBinary: o.qemuBinary,
    },
    { signal: o.signal },
  );
  return { qmp: vm.qmp, mode: 'live', close: () => vm.teardown() };
}

/** A QMP error reply from a replay that did not record the command (as opposed to QEMU refusing it). */
export function isNotRecorded(err: unknown): boolean {
  return err instanceof HwqualError && /not recorded in /.test(err.message);
}
