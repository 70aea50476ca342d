import { dirname } from 'node:path';
import { HwqualError } from '../model/errors.ts';
import type { Transport } from '../transport/types.ts';
import { ConsoleReader } from './console.ts';
import { GuestAgentClient } from './guest-agent.ts';
import { buildQemuArgs } from './qemu-args.ts';
import { QmpClient } from './qmp-client.ts';
import { shellJoin, shellQuote } from './shell.ts';
import { vmPaths, type VmPaths, type VmSpec } from './spec.ts';
import { check, withOverlays } from './overlays.ts';
import { teardownScript } from './teardown-script.ts';
import { ownedDirCommand, vmWorkDir } from './work-dirs.ts';
import { retry } from '../util/poll.ts';
import { teardownAllVms } from './live-vms.ts';
import { VmLifecycle } from './vm-lifecycle.ts';
import { launchLibvirtVm } from './libvirt/libvirt-vm.ts';
import type { Vm, VmDriver } from './vm-handle.ts';

export type { Vm, VmDriver } from './vm-handle.ts';
export { teardownAllVms };

export interface LaunchOptions {
  signal?: AbortSignal;
  /**
   * A unique directory on the host for sockets, console, pid file and overlays (default: a fresh one under the
   * login's /tmp/hwqual-vms[-<user>], work-dirs.ts). Its parent must be the login's own folder.
   */
  workDir?: string;
  /** How long QEMU may take to start and open QMP (default 30 s). */
  startTimeoutMs?: number;
  /** Who starts the guest: hwqual's own QEMU process (default) or the host's libvirtd (libvirt/libvirt-vm.ts). */
  driver?: VmDriver;
}

/**
 * One QEMU process on one host, started by hwqual itself. `teardown()` is idempotent and runs on success, failure,
 * timeout and cancel.
 */
export class QemuVm extends VmLifecycle implements Vm {
  readonly driver = 'qemu' as const;
  qmp!: QmpClient;
  readonly console: ConsoleReader;
  pid: number | undefined;

  constructor(
    readonly transport: Transport,
    readonly spec: VmSpec,
    readonly paths: VmPaths,
    readonly argv: string[],
    signal?: AbortSignal,
  ) {
    super(signal);
    this.console = new ConsoleReader(transport, paths.console, spec.name ?? 'vm');
  }

  get definition(): { artifact: string; text: string } {
    return { artifact: 'qemu-argv.txt', text: `${this.argv.join('\n')}\n` };
  }

  /** Whether QEMU still runs (by the pid from its pid file). */
  async isAlive(): Promise<boolean> {
    if (this.pid === undefined) return false;
    const r = await this.transport.exec(
      `tr '\\0' ' ' < /proc/${this.pid}/cmdline 2>/dev/null | grep -qF -- ${shellQuote(this.paths.workDir)}`,
      { timeoutMs: 15_000, readOnly: true },
    );
    return r.exitCode === 0;
  }

  /** A client for qemu-guest-agent (the VM must have been launched with `guestAgent: true`). */
  async guestAgent(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<GuestAgentClient> {
    if (!this.spec.guestAgent)
      throw new HwqualError('E_VM', `${this.name} was launched without a guest agent channel`, { host: this.host });
    const stream = await this.transport.forwardUnixSocket(this.paths.qgaSocket, {
      timeoutMs: options.timeoutMs ?? 10_000,
      signal: options.signal,
    });
    return new GuestAgentClient(stream, this.host);
  }

  /** Run the kill-and-remove script again (no QMP): for a start that raced with a cancel. */
  async sweep(): Promise<void> {
    await this.transport.exec(teardownScript(this.paths.workDir, this.paths.pidFile, 0), { timeoutMs: 30_000 });
  }

  /** quit over QMP → wait → SIGKILL by pid → remove the work dir. */
  protected async endGuest(): Promise<void> {
    if (this.qmp && !this.qmp.isClosed) await this.qmp.quit({ timeoutMs: 3_000 }).catch(() => {});
    this.qmp?.close();
    await this.console.poll().catch(() => {});
    await this.transport.exec(teardownScript(this.paths.workDir, this.paths.pidFile), { timeoutMs: 30_000 });
  }
}

/**
 * Start the guest on the transport's host — QEMU by hwqual itself, or a libvirt domain with `driver: 'libvirt'` — and
 * connect QMP; return the handle. On any failure the VM is torn down.
 */
export async function launchVm(transport: Transport, spec: VmSpec, options: LaunchOptions = {}): Promise<Vm> {
  if (options.driver === 'libvirt') return launchLibvirtVm(transport, spec, options);
  const workDir = options.workDir ?? vmWorkDir(transport, spec.name ?? 'vm');
  const paths = vmPaths(workDir);
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const signal = options.signal;
  if (signal?.aborted)
    throw new HwqualError('E_CANCELLED', `launch of ${spec.name ?? 'vm'}: cancelled`, { host: transport.host });
  await transport
    .exec(`${ownedDirCommand(dirname(workDir))} && mkdir -m 700 ${shellQuote(workDir)}`, { timeoutMs: 15_000, signal })
    .then(check(transport, 'mkdir'));
  const finalSpec = await withOverlays(transport, spec, workDir, signal);
  const argv = buildQemuArgs(finalSpec, paths);
  const vm = new QemuVm(transport, finalSpec, paths, argv, signal);
  try {
    const bin = finalSpec.qemuBinary ?? 'qemu-system-x86_64';
    // QEMU daemonizes once it is set up; its pid file is read in the same command (one process start less).
    const r = await transport.exec(
      `${shellQuote(bin)} ${shellJoin(argv)} && echo "HWQUAL-PID $(cat ${shellQuote(paths.pidFile)})"`,
      { timeoutMs: startTimeoutMs, signal },
    );
    if (r.exitCode !== 0) {
      throw new HwqualError(
        'E_VM',
        `QEMU did not start on ${transport.host} (exit ${r.exitCode}): ` +
          (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | '),
        { host: transport.host },
      );
    }
    const pidText = /^HWQUAL-PID (\d+)$/m.exec(r.stdout)?.[1];
    vm.pid = pidText ? Number(pidText) : undefined;
    vm.qmp = await connectQmp(transport, paths.qmpSocket, startTimeoutMs, signal);
    return vm;
  } catch (err) {
    await vm.teardown().catch(() => {});
    await vm.sweep().catch(() => {}); // a QEMU that daemonized while the launch was being cancelled
    throw err;
  }
}

async function connectQmp(
  transport: Transport,
  socket: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<QmpClient> {
  return retry(
    async () => {
      const stream = await transport.forwardUnixSocket(socket, { timeoutMs: 10_000, signal });
      return QmpClient.connect(stream, { host: transport.host, timeoutMs: 10_000, signal });
    },
    { timeoutMs, everyMs: 200, signal },
  );
}
