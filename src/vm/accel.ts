import { errorCodeOf, messageOf } from '../model/errors.ts';
import type { Transport } from '../transport/types.ts';
import { bootImage } from './images/boot.ts';
import { ensureImage } from './images/builder.ts';
import { GuestNeverReadyError } from './panic.ts';
import type { Accel } from './spec.ts';

export type KvmState = 'usable' | 'hangs' | 'absent';
export interface KvmProbe {
  state: KvmState;
  reason: string;
  probeMs: number;
}
export type AccelChoice = 'auto' | Accel;

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
 * Does KVM work on this host? absent: no usable /dev/kvm or QEMU refuses it; hangs: a tiny guest does not reach
 * its ready marker within the timeout (nested virtualization that stalls after the firmware); usable otherwise.
 */
export async function probeKvm(transport: Transport, options: ProbeOptions = {}): Promise<KvmProbe> {
  const t0 = performance.now();
  const done = (state: KvmState, reason: string): KvmProbe => ({
    state,
    reason,
    probeMs: Math.round(performance.now() - t0),
  });
  if (!options.skipDeviceCheck) {
    const dev = await transport.exec('test -c /dev/kvm && test -r /dev/kvm && test -w /dev/kvm', {
      timeoutMs: 15_000,
      signal: options.signal,
      readOnly: true,
    });
    if (dev.exitCode !== 0) return done('absent', '/dev/kvm does not exist or is not read/writable');
  }
  const image = await ensureImage('tiny');
  const timeoutMs = options.timeoutMs ?? 8_000;
  try {
    const { vm } = await bootImage(transport, image, {
      accel: options.bootAccel ?? 'kvm',
      cpu: 'qemu64',
      run: 'facts',
      name: 'kvm-probe',
      signal: options.signal,
      readyTimeoutMs: timeoutMs,
    });
    await vm.teardown();
    return done('usable', `a tiny guest booted under KVM in ${Math.round(performance.now() - t0)} ms`);
  } catch (err) {
    if (options.signal?.aborted) throw err;
    if (errorCodeOf(err) === 'E_TIMEOUT' || err instanceof GuestNeverReadyError)
      return done('hangs', `a tiny guest under KVM did not reach its ready marker within ${timeoutMs} ms`);
    if (errorCodeOf(err) === 'E_VM') return done('absent', `QEMU could not run a guest under KVM: ${messageOf(err)}`);
    return done('hangs', `a tiny guest under KVM did not come up: ${messageOf(err)}`);
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
