import { randomBytes } from 'node:crypto';
import type { Transport } from '../../transport/types.ts';
import type { BuiltImage } from '../images/built-image.ts';
import { imageVmSpec } from '../images/boot.ts';
import { stageImage } from '../images/stage.ts';
import type { Accel } from '../spec.ts';
import { launchVm, type Vm } from '../vm.ts';
import { HeartbeatStream } from './hb-stream.ts';
import type { LineCollector } from './heartbeat.ts';

export interface WorkloadGuest {
  accel: Accel;
  cpu?: string;
  machine?: string;
  memoryMiB: number;
  /** Working set (MiB) and the rate it is rewritten at (MiB/s). */
  wssMiB: number;
  dirtyMiBps: number;
}

export interface GuestHandle { vm: Vm; hb: HeartbeatStream; label: string }

/**
 * Kernel command line of the workload guest. Under TCG it adds `pti=on`: QEMU 7.2's TCG loses dirty-page
 * tracking for writes through global TLB entries (the kernel's own pages) across a migration's bitmap syncs,
 * and the guest kernel oopses on the destination; with page-table isolation the kernel's pages are not global
 * (checked here: 0 of 4 migrations of a dirtying guest survive without it, 4 of 4 with it). KVM needs no such flag.
 */
export function workloadAppend(g: WorkloadGuest): string {
  return [`hwqual.wss=${g.wssMiB}`, `hwqual.dirty=${g.dirtyMiBps}`, 'hwqual.hb=/dev/ttyS1', g.accel === 'tcg' ? 'pti=on' : ''].filter(Boolean).join(' ');
}

/**
 * Start the workload guest on a host: the tiny image with `hwqual.run=workload`, its heartbeat port as a unix
 * socket in the VM's work dir, streamed to the controller. With `incoming` it is a migration destination.
 */
export async function launchWorkloadGuest(transport: Transport, label: string, image: BuiltImage, g: WorkloadGuest, collector: LineCollector,
  o: { incoming?: string; signal?: AbortSignal } = {}): Promise<GuestHandle> {
  const onHost = await stageImage(transport, image, o.signal);
  const workDir = `/tmp/hwqual-vms/mig-${label}-${randomBytes(6).toString('hex')}`;
  const hbSocket = `${workDir}/hb.sock`;
  const spec = imageVmSpec(onHost, {
    accel: g.accel, cpu: g.cpu, machine: g.machine, memoryMiB: g.memoryMiB, run: 'workload', append: workloadAppend(g),
    incoming: o.incoming, name: `mig-${label}`,
  });
  spec.extraArgs = [...(spec.extraArgs ?? []), '-chardev', `socket,id=hb,path=${hbSocket},server=on,wait=off`, '-serial', 'chardev:hb'];
  const vm = await launchVm(transport, spec, { signal: o.signal, workDir });
  try {
    const hb = await HeartbeatStream.open(transport, hbSocket, label, collector, { signal: o.signal });
    vm.addCleanup(async () => hb.close());
    return { vm, hb, label };
  } catch (err) {
    await vm.teardown().catch(() => {});
    throw err;
  }
}
