import type { Transport } from '../transport/types.ts';
import { registerEmergencyCleanup } from '../util/emergency.ts';
import type { ConsoleMatch, ConsoleReader, WaitForOptions } from './console.ts';
import { trackVm } from './live-vms.ts';
import type { VmSpec } from './spec.ts';
import type { Vm } from './vm-handle.ts';

/**
 * What every driver's VM shares: teardown once (on success, failure, timeout, the launch's cancel signal, and from
 * teardownAllVms), cleanups after it in reverse, the emergency sweep on a second Ctrl-C, and the console wait that
 * asks whether QEMU still runs. A driver says how its guest ends (`endGuest`), is swept, and is asked if it is alive.
 */
export abstract class VmLifecycle {
  abstract readonly transport: Transport;
  abstract readonly spec: VmSpec;
  abstract readonly console: ConsoleReader;
  private teardownPromise: Promise<void> | undefined;
  private readonly cleanups: Array<() => Promise<void>> = [];
  private readonly offAbort: () => void;
  private readonly offEmergency: () => void;
  private readonly untrack: () => void;

  constructor(signal?: AbortSignal) {
    const onAbort = () => {
      void this.teardown();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    this.offAbort = () => signal?.removeEventListener('abort', onAbort);
    this.untrack = trackVm(this as unknown as Vm);
    this.offEmergency = registerEmergencyCleanup(() => this.sweep()); // second Ctrl-C: no QMP, no grace
  }

  get name(): string {
    return this.spec.name ?? 'vm';
  }
  get accel(): string {
    return this.spec.accel;
  }
  get host(): string {
    return this.transport.host;
  }
  get tornDown(): boolean {
    return this.teardownPromise !== undefined;
  }

  abstract isAlive(): Promise<boolean>;
  abstract sweep(): Promise<void>;
  /** The driver's way to end the guest for good and remove its work dir. */
  protected abstract endGuest(): Promise<void>;

  /** Wait for a console line; fails early on a guest panic (→ failed) or when QEMU exits (→ error). */
  waitForConsole(pattern: RegExp, options: Omit<WaitForOptions, 'isAlive'>): Promise<ConsoleMatch> {
    return this.console.waitFor(pattern, { ...options, isAlive: () => this.isAlive() });
  }

  /** Idempotent. The console text stays readable in `console.text`. */
  teardown(): Promise<void> {
    this.teardownPromise ??= this.runTeardown();
    return this.teardownPromise;
  }

  /** Run after the VM is gone at teardown (e.g. remove a cloud-init seed); in reverse order, errors ignored. */
  addCleanup(fn: () => Promise<void>): void {
    this.cleanups.push(fn);
  }

  private async runTeardown(): Promise<void> {
    this.offAbort();
    try {
      await this.endGuest();
    } finally {
      for (const fn of this.cleanups.reverse()) await fn().catch(() => {});
      this.untrack();
      this.offEmergency();
    }
  }
}
