import { errorCodeOf, messageOf } from '../model/errors.ts';
import type { Transport } from '../transport/types.ts';
import { launchImage, waitUntilReady } from './images/boot.ts';
import { ensureImage } from './images/builder.ts';
import { GuestNeverReadyError } from './panic.ts';
import type { Accel } from './spec.ts';
import type { Vm } from './vm.ts';

export type KvmState = 'usable' | 'hangs' | 'absent';
export interface KvmProbe {
  state: KvmState;
  reason: string;
  probeMs: number;
  /** What the probe saw; `state` follows from it (rules in probeKvm). */
  evidence: KvmEvidence;
}
export interface KvmEvidence {
  /** /dev/kvm is a read/writable character device (`skipped` by the test seam). */
  device: 'ok' | 'missing' | 'skipped';
  /**
   * QEMU started the probe guest and ran it to the end of the probe; `refused`: it did not start (e.g. KVM could not
   * be initialised); `exited`: it started, then exited before the guest was ready.
   */
  qemu?: 'started' | 'refused' | 'exited';
  /** QMP query-kvm of the probe guest's QEMU: KVM enabled in it. */
  kvmEnabled?: boolean;
  /** The guest printed its ready marker within the timeout. */
  ready?: boolean;
  /** The probe guest's last console lines (or "the console is empty"). */
  consoleTail?: string;
}
import type { AccelChoice } from '../config/types.ts';

export type { AccelChoice };

export interface ProbeOptions {
  /** How long the tiny guest may take to print its ready marker under KVM (default 8 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Test seam: boot the probe guest under this accelerator instead of kvm (the timeout logic is the same). */
  bootAccel?: Accel;
  /** Test seam: skip the /dev/kvm check. */
  skipDeviceCheck?: boolean;
}

/**
 * Does KVM work on this host? The state follows from the evidence: absent — no read/writable /dev/kvm, or QEMU
 * refuses to start a guest under it or exits while running it; usable — a tiny guest under KVM printed its ready
 * marker within the timeout; hangs — QEMU keeps running it under KVM but it does not get there (nested
 * virtualization that stalls after the firmware).
 */
export async function probeKvm(transport: Transport, options: ProbeOptions = {}): Promise<KvmProbe> {
  const t0 = performance.now();
  const evidence: KvmEvidence = { device: options.skipDeviceCheck ? 'skipped' : 'ok' };
  const done = (state: KvmState, reason: string): KvmProbe => ({
    state,
    reason,
    probeMs: Math.round(performance.now() - t0),
    evidence,
  });
  if (!options.skipDeviceCheck) {
    const dev = await transport.exec('test -c /dev/kvm && test -r /dev/kvm && test -w /dev/kvm', {
      timeoutMs: 15_000,
      signal: options.signal,
      readOnly: true,
    });
    if (dev.exitCode !== 0) {
      evidence.device = 'missing';
      return done('absent', '/dev/kvm does not exist or is not read/writable');
    }
  }
  const image = await ensureImage('tiny');
  const timeoutMs = options.timeoutMs ?? 8_000;
  let vm: Vm;
  try {
    vm = await launchImage(transport, image, {
      accel: options.bootAccel ?? 'kvm',
      cpu: 'qemu64',
      run: 'facts',
      name: 'kvm-probe',
      signal: options.signal,
    });
  } catch (err) {
    if (options.signal?.aborted) throw err;
    evidence.qemu = 'refused';
    return done('absent', `QEMU could not run a guest under KVM: ${messageOf(err)}`);
  }
  evidence.qemu = 'started';
  try {
    evidence.kvmEnabled = (await vm.qmp.queryKvm({ timeoutMs: 10_000 }).catch(() => undefined))?.enabled;
    await waitUntilReady(vm, image, { timeoutMs, signal: options.signal });
    evidence.ready = true;
    return done('usable', `a tiny guest booted under KVM in ${Math.round(performance.now() - t0)} ms`);
  } catch (err) {
    if (options.signal?.aborted) throw err;
    evidence.ready = false;
    if (errorCodeOf(err) === 'E_VM') {
      evidence.qemu = 'exited';
      return done('absent', `QEMU could not run a guest under KVM: ${messageOf(err)}`);
    }
    if (errorCodeOf(err) === 'E_TIMEOUT' || err instanceof GuestNeverReadyError)
      return done('hangs', `a tiny guest under KVM did not reach its ready marker within ${timeoutMs} ms`);
    return done('hangs', `a tiny guest under KVM did not come up: ${messageOf(err)}`);
  } finally {
    await vm.teardown(); // reads the console one last time
    evidence.consoleTail = vm.console.tail(3);
  }
}

const probes = new Map<string, Promise<KvmProbe>>();

/** The probe, once per host per run (this process): later cases reuse the answer and never pay the timeout again. */
export function kvmProbeOnce(transport: Transport, options: ProbeOptions = {}): Promise<KvmProbe> {
  let p = probes.get(transport.host);
  if (!p) {
    p = probeKvm(transport, options);
    probes.set(transport.host, p);
    p.catch(() => probes.delete(transport.host));
  }
  return p;
}

/** Forget cached probes (tests; a new run in the same process). */
export function resetKvmProbes(): void {
  probes.clear();
}

/** The accelerator a VM gets: the plan's choice, or for `auto` kvm only where the probe said usable. */
export async function resolveAccel(
  transport: Transport,
  choice: AccelChoice,
  options: ProbeOptions = {},
): Promise<{ accel: Accel; kvm?: KvmProbe }> {
  if (choice !== 'auto') return { accel: choice };
  const kvm = await kvmProbeOnce(transport, options);
  return { accel: kvm.state === 'usable' ? 'kvm' : 'tcg', kvm };
}
