import { HwqualError } from '../model/errors.ts';
import type { Transport } from '../transport/types.ts';
import type { BuiltImage } from '../vm/images/built-image.ts';
import { imageVmSpec } from '../vm/images/boot.ts';
import { stageImage } from '../vm/images/stage.ts';
import type { Accel, DiskSpec } from '../vm/spec.ts';
import { launchVm, type Vm, type VmDriver } from '../vm/vm.ts';
import { eventually } from '../util/poll.ts';
import { vmWorkDir } from '../vm/work-dirs.ts';
import { HeartbeatStream } from './hb-stream.ts';
import type { LineCollector } from './heartbeat.ts';
import type { GuestHandle, WorkloadDisk, WorkloadGuest } from './types.ts';

/**
 * Kernel command line of the workload guest. `sysrq_always_enabled` lets hwqual ask a silent guest for its
 * backtrace (Alt-SysRq-L, see verify.ts). Under TCG it adds `pti=on`: with page-table isolation every kernel entry
 * and exit reloads CR3, which flushes TCG's TLB, so the stale not-dirty flags described at tcgMigrationPadKiB live
 * for milliseconds instead of for as long as the kernel's global mappings (0 of 4 migrations of a dirtying guest
 * survived without it before the padding existed). And `hwqual.flush=64`: the workload enters the kernel every 64
 * pages it touches, which keeps TCG's TLB small — that padding's per-page dirty sync scans the whole TLB once per
 * dirty page, and a TLB grown by a busy guest made QEMU's setup 1.1–2.4 s instead of 0.15 s (hwqual-workload.c, -F).
 * KVM needs neither.
 */
export function workloadAppend(g: WorkloadGuest): string {
  const d = g.dataDisk;
  return [
    `hwqual.wss=${g.wssMiB}`,
    `hwqual.dirty=${g.dirtyMiBps}`,
    'hwqual.hb=/dev/ttyS1',
    // The tiny image has no disk of its own: the data disk is its /dev/vda.
    d ? `hwqual.disk=/dev/vda hwqual.diskkib=${d.stampKiB ?? 4096} hwqual.diskrate=${d.rateKiBps ?? 64}` : '',
    'sysrq_always_enabled',
    g.accel === 'tcg' ? 'pti=on' : '',
    g.accel === 'tcg' ? 'hwqual.flush=64' : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * RAM padding (KiB) of a migrated guest under TCG. QEMU before 9.0 loses TCG writes across a migration's dirty
 * sync: the sync's fast path (a RAM block whose size is a multiple of 64 pages, 256 KiB) clears the dirty bits
 * without resetting the TCG TLB's not-dirty flags, so a write through a TLB entry made before the sync is not
 * tracked and a page the guest changed after it was sent is never sent again (fixed upstream by 03bfc2188f,
 * "physmem: Fix migration dirty bitmap coherency with TCG memory access"; not in QEMU 7.2 of Debian 12). The
 * destination's kernel then walks corrupted lists and hangs or oopses (seen here: 13 of 90 xbzrle migrations
 * under load; 0 of 50 with the padding, npm run migration:soak). 8 KiB more RAM makes the size no multiple of 256 KiB,
 * so every sync takes the per-page path, which resets the TLB. KVM tracks dirty pages in the kernel and needs none of
 * this.
 */
export function tcgMigrationPadKiB(accel: Accel, env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (accel !== 'tcg') return undefined;
  // HWQUAL_TCG_MIGRATION_PAD_KIB=0 turns it off, to see the defect (npm run migration:soak -- --no-pad).
  const asked = env.HWQUAL_TCG_MIGRATION_PAD_KIB;
  const pad = asked === undefined || asked === '' ? 8 : Number(asked);
  if (!(Number.isInteger(pad) && pad >= 0 && pad % 8 === 0)) {
    throw new HwqualError('E_CONFIG', `HWQUAL_TCG_MIGRATION_PAD_KIB must be a multiple of 8 (KiB), got '${asked}'`);
  }
  return pad || undefined;
}

/**
 * Start the workload guest on a host: the tiny image with `hwqual.run=workload`, its heartbeat port as a unix
 * socket in the VM's work dir, streamed to the controller. With `incoming` it is a migration destination.
 */
export async function launchWorkloadGuest(
  transport: Transport,
  label: string,
  image: BuiltImage,
  g: WorkloadGuest,
  collector: LineCollector,
  o: { incoming?: string; signal?: AbortSignal; workDir?: string; driver?: VmDriver } = {},
): Promise<GuestHandle> {
  const { vm, hbSocket } = await startWorkloadVm(transport, label, image, g, o);
  try {
    const hb = await HeartbeatStream.open(transport, hbSocket, label, collector, { signal: o.signal });
    vm.addCleanup(async () => hb.close());
    return { vm, hb, label };
  } catch (err) {
    await vm.teardown().catch(() => {});
    throw err;
  }
}

/**
 * The workload guest's QEMU alone: the same machine as launchWorkloadGuest, its heartbeat port (a unix socket in
 * the work dir) left unread — what the migration bench runs "by hand", without hwqual's instrumentation.
 */
export async function startWorkloadVm(
  transport: Transport,
  label: string,
  image: BuiltImage,
  g: WorkloadGuest,
  o: { incoming?: string; signal?: AbortSignal; workDir?: string; driver?: VmDriver } = {},
): Promise<{ vm: Vm; hbSocket: string }> {
  const onHost = await stageImage(transport, image, o.signal);
  const workDir = o.workDir ?? vmWorkDir(transport, `mig-${label}`);
  const hbSocket = `${workDir}/hb.sock`;
  const spec = imageVmSpec(onHost, {
    accel: g.accel,
    cpu: g.cpu,
    machine: g.machine,
    memoryMiB: g.memoryMiB,
    run: 'workload',
    append: workloadAppend(g),
    incoming: o.incoming,
    name: `mig-${label}`,
    extraDisks: g.dataDisk ? [dataDiskOn(g.dataDisk, label)] : [],
  });
  spec.memoryPadKiB = tcgMigrationPadKiB(g.accel);
  spec.serialSockets = [{ id: 'hb', path: hbSocket }];
  return { vm: await launchVm(transport, spec, { signal: o.signal, workDir, driver: o.driver }), hbSocket };
}

/** The data disk as this host's QEMU opens it: with this host's own key file when it is encrypted. */
export function dataDiskOn(d: WorkloadDisk, host: string): DiskSpec {
  if (!d.keyFiles) return { path: d.path, format: d.format };
  const keyFile = d.keyFiles[host];
  if (!keyFile)
    throw new HwqualError('E_INTERNAL', `the encrypted data disk ${d.path} has no key file for ${host}`, { host });
  return { path: d.path, format: 'qcow2', encryption: { keyFile, ...(d.secretId && { secretId: d.secretId }) } };
}

/** Until the workload runs: its start line on the console, then a passing integrity line on its heartbeat port. */
export async function waitForWorkload(g: GuestHandle, collector: LineCollector, signal?: AbortSignal): Promise<void> {
  await g.vm.waitForConsole(/HWQUAL-WORKLOAD start/, { timeoutMs: 120_000, signal });
  const ready = await eventually(() => collector.integrity.some((l) => l.host === g.label && l.ok), {
    timeoutMs: 20_000,
    signal,
  });
  if (!ready)
    throw new HwqualError(
      'E_VM',
      `the workload on ${g.label} printed no integrity line within 20 s; ${g.vm.console.tail()}`,
      { host: g.label },
    );
}
