import { errorCodeOf } from '../../model/errors.ts';
import { parseGuestFacts, type GuestFacts } from '../../probe/guest-facts.ts';
import type { Transport } from '../../transport/types.ts';
import { consoleShowsGuestRan, GuestNeverReadyError } from '../panic.ts';
import { launchVm, type Vm, type VmDriver } from '../vm.ts';
import type { Accel, DiskSpec, VmSpec } from '../spec.ts';
import type { BuiltImage } from './built-image.ts';
import { stageImage } from './stage.ts';

export interface ImageBootOptions {
  accel: Accel;
  cpu?: string;
  machine?: string;
  memoryMiB?: number;
  vcpus?: number;
  /** Tiny images: the built-in action (`facts`, `idle`, `panic`, `script`). */
  run?: string;
  /** Tiny images with run=script: the shell script to run in the guest. */
  script?: string;
  /** Appended to the image's kernel command line. */
  append?: string;
  /** Extra disks (e.g. a cloud-init seed), after the image's own. */
  extraDisks?: DiskSpec[];
  /** Extra QEMU args (e.g. `-incoming`). */
  incoming?: string;
  name?: string;
  signal?: AbortSignal;
  workDir?: string;
  /** qemu (default) or libvirt: who starts the guest (the plan's `driver`). */
  driver?: VmDriver;
}

/** Pure: the VmSpec that boots an image (whose paths are already on the target host). */
export function imageVmSpec(image: BuiltImage, o: ImageBootOptions): VmSpec {
  const append = [
    image.append,
    o.run ? `hwqual.run=${o.run}` : '',
    o.script !== undefined ? `hwqual.script=${Buffer.from(o.script).toString('base64')}` : '',
    o.append ?? '',
  ]
    .filter(Boolean)
    .join(' ');
  const disks: DiskSpec[] = [];
  if (image.disk) disks.push({ path: image.disk.path, format: image.disk.format, overlay: true });
  disks.push(...(o.extraDisks ?? []));
  return {
    name: o.name ?? image.name,
    accel: o.accel,
    cpu: o.cpu,
    machine: o.machine,
    memoryMiB: o.memoryMiB ?? (image.kind === 'tiny' ? 256 : 1024),
    vcpus: o.vcpus,
    kernel: image.kernel ? { kernel: image.kernel, initrd: image.initrd, append } : undefined,
    disks,
    guestAgent: 'guestAgent' in image.readiness,
    incoming: o.incoming,
  };
}

/** Copy the image to the host when needed and start QEMU (not yet waiting for the guest). */
export async function launchImage(transport: Transport, image: BuiltImage, o: ImageBootOptions): Promise<Vm> {
  const onHost = await stageImage(transport, image, o.signal);
  return launchVm(transport, imageVmSpec(onHost, o), { signal: o.signal, workDir: o.workDir, driver: o.driver });
}

export interface Ready {
  facts?: GuestFacts;
}

/**
 * Wait for the image's readiness: its console regex (tiny: the ready marker, then the facts block, parsed) or
 * the guest agent answering guest-sync. A kernel panic ends the wait as a GuestPanicError, QEMU exiting with a
 * BUG/Oops/WARNING on the console as a GuestFaultError (→ case failed, quoting it). A guest whose console shows it
 * ran but that never got ready in time is a GuestNeverReadyError (→ failed, with its last console lines); an empty
 * console is E_TIMEOUT (→ error: nothing of the guest's ran, e.g. a hang right after the firmware).
 */
export async function waitUntilReady(
  vm: Vm,
  image: BuiltImage,
  o: { timeoutMs: number; signal?: AbortSignal },
): Promise<Ready> {
  try {
    return await waitForReadiness(vm, image, o);
  } catch (err) {
    if (errorCodeOf(err) !== 'E_TIMEOUT' || o.signal?.aborted) throw err;
    await vm.console.poll().catch(() => {});
    if (!consoleShowsGuestRan(vm.console.text)) throw err;
    throw new GuestNeverReadyError(vm.name, Math.round(o.timeoutMs / 1000), vm.console.tail());
  }
}

async function waitForReadiness(
  vm: Vm,
  image: BuiltImage,
  o: { timeoutMs: number; signal?: AbortSignal },
): Promise<Ready> {
  if ('console' in image.readiness) {
    await vm.waitForConsole(new RegExp(image.readiness.console), o);
    if (image.kind !== 'tiny') return {};
    await vm.waitForConsole(/HWQUAL-FACTS-END/, o);
    return { facts: parseGuestFacts(vm.console.text) };
  }
  const deadline = Date.now() + o.timeoutMs;
  const agent = await vm.guestAgent({ signal: o.signal });
  const stopWatch = new AbortController();
  try {
    // Watch the console for a panic (or QEMU exiting) while the agent is not answering yet.
    const watchSignal = o.signal ? AbortSignal.any([o.signal, stopWatch.signal]) : stopWatch.signal;
    const panicWatch = vm.waitForConsole(/(?!)/, { timeoutMs: o.timeoutMs + 60_000, signal: watchSignal });
    panicWatch.catch(() => {});
    await Promise.race([
      agent.waitUntilReady({ timeoutMs: Math.max(1, deadline - Date.now()), signal: o.signal }),
      panicWatch,
    ]);
  } finally {
    stopWatch.abort();
    agent.close();
  }
  return {};
}

/** launchImage + waitUntilReady; on failure the VM is torn down and `consoleLog` is put on the error. */
export async function bootImage(
  transport: Transport,
  image: BuiltImage,
  o: ImageBootOptions & { readyTimeoutMs?: number },
): Promise<{ vm: Vm } & Ready> {
  const vm = await launchImage(transport, image, o);
  try {
    const ready = await waitUntilReady(vm, image, {
      timeoutMs: o.readyTimeoutMs ?? defaultReadyMs(image),
      signal: o.signal,
    });
    return { vm, ...ready };
  } catch (err) {
    await vm.teardown().catch(() => {});
    if (err && typeof err === 'object') Object.assign(err, { consoleLog: vm.console.text });
    throw err;
  }
}

export function defaultReadyMs(image: BuiltImage): number {
  return image.kind === 'tiny' ? 60_000 : 120_000;
}
