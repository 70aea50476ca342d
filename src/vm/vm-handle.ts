import type { VmDriver } from '../config/types.ts';
import type { Transport } from '../transport/types.ts';
import type { ConsoleMatch, ConsoleReader, WaitForOptions } from './console.ts';
import type { GuestAgentClient } from './guest-agent.ts';
import type { QmpClient } from './qmp-client.ts';
import type { VmPaths, VmSpec } from './spec.ts';

export type { VmDriver };

/**
 * A running guest, whoever started it: hwqual's own QEMU process (QemuVm, vm.ts) or a libvirt domain (LibvirtVm,
 * libvirt/libvirt-vm.ts). Suites, images and migration use only this surface, so the same code qualifies both paths.
 * `teardown()` is idempotent and runs on success, failure, timeout and cancel; `sweep()` is the emergency path.
 */
export interface Vm {
  readonly driver: VmDriver;
  readonly transport: Transport;
  readonly spec: VmSpec;
  /** The work dir on the host: console file, sockets, overlays. */
  readonly paths: VmPaths;
  readonly name: string;
  readonly accel: string;
  readonly host: string;
  readonly tornDown: boolean;
  /**
   * What the guest was started from, for the report: QEMU's argv (`qemu-argv.txt`) or the domain XML (`domain.xml`).
   */
  readonly definition: { artifact: string; text: string };
  /** QMP, typed: a socket connection to QEMU, or (libvirt) an adapter over `virsh qemu-monitor-command`. */
  qmp: QmpClient;
  /** The guest's serial console: a file in the work dir, followed through the transport. */
  readonly console: ConsoleReader;
  /** QEMU's pid on the host, once known. */
  pid: number | undefined;
  /** Whether the guest's QEMU still runs. */
  isAlive(): Promise<boolean>;
  /** Wait for a console line; fails early on a guest panic (→ failed) or when QEMU exits (→ error). */
  waitForConsole(pattern: RegExp, options: Omit<WaitForOptions, 'isAlive'>): Promise<ConsoleMatch>;
  /** A client for qemu-guest-agent (the VM must have been launched with `guestAgent: true`). */
  guestAgent(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<GuestAgentClient>;
  /** End the guest for good and remove its work dir; the console text stays readable in `console.text`. */
  teardown(): Promise<void>;
  /** Run after the VM is gone at teardown (e.g. remove a cloud-init seed); in reverse order, errors ignored. */
  addCleanup(fn: () => Promise<void>): void;
  /** Kill and remove without asking QEMU (no QMP): a start that raced with a cancel, or the second Ctrl-C. */
  sweep(): Promise<void>;
}
