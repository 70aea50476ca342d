import { dirname } from 'node:path';
import { HwqualError } from '../model/errors.ts';
import { registerEmergencyCleanup } from '../util/emergency.ts';
import type { Transport } from '../transport/types.ts';
import { ConsoleReader, type ConsoleMatch, type WaitForOptions } from './console.ts';
import { GuestAgentClient } from './guest-agent.ts';
import { buildQemuArgs } from './qemu-args.ts';
import { QmpClient } from './qmp-client.ts';
import { shellJoin, shellQuote } from './shell.ts';
import { vmPaths, type VmPaths, type VmSpec } from './spec.ts';
import { teardownScript } from './teardown-script.ts';
import { ownedDirCommand, vmWorkDir } from './work-dirs.ts';
import { retry } from '../util/poll.ts';

export interface LaunchOptions {
  signal?: AbortSignal;
  /**
   * A unique directory on the host for sockets, console, pid file and overlays (default: a fresh one under the
   * login's /tmp/hwqual-vms[-<user>], work-dirs.ts). Its parent must be the login's own folder.
   */
  workDir?: string;
  /** How long QEMU may take to start and open QMP (default 30 s). */
  startTimeoutMs?: number;
}

const live = new Set<Vm>();

/** One QEMU process on one host. `teardown()` is idempotent and runs on success, failure, timeout and cancel. */
export class Vm {
  qmp!: QmpClient;
  readonly console: ConsoleReader;
  pid: number | undefined;
  private teardownPromise: Promise<void> | undefined;
  private readonly cleanups: Array<() => Promise<void>> = [];
  private readonly offAbort: () => void;
  private readonly offEmergency: () => void;

  constructor(
    readonly transport: Transport,
    readonly spec: VmSpec,
    readonly paths: VmPaths,
    readonly argv: string[],
    signal?: AbortSignal,
  ) {
    this.console = new ConsoleReader(transport, paths.console, spec.name ?? 'vm');
    const onAbort = () => {
      void this.teardown();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    this.offAbort = () => signal?.removeEventListener('abort', onAbort);
    live.add(this);
    this.offEmergency = registerEmergencyCleanup(() => this.sweep()); // second Ctrl-C: SIGKILL by pid, no QMP
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

  /** Whether QEMU still runs (by the pid from its pid file). */
  async isAlive(): Promise<boolean> {
    if (this.pid === undefined) return false;
    const r = await this.transport.exec(
      `tr '\\0' ' ' < /proc/${this.pid}/cmdline 2>/dev/null | grep -qF -- ${shellQuote(this.paths.workDir)}`,
      { timeoutMs: 15_000, readOnly: true },
    );
    return r.exitCode === 0;
  }

  /** Wait for a console line; fails early on a guest panic (→ failed) or when QEMU exits (→ error). */
  waitForConsole(pattern: RegExp, options: Omit<WaitForOptions, 'isAlive'>): Promise<ConsoleMatch> {
    return this.console.waitFor(pattern, { ...options, isAlive: () => this.isAlive() });
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

  /** quit over QMP → wait → SIGKILL by pid → remove the work dir. The console text stays readable in `console.text`. */
  teardown(): Promise<void> {
    this.teardownPromise ??= this.doTeardown();
    return this.teardownPromise;
  }

  /** Run after the VM is gone at teardown (e.g. remove a cloud-init seed); in reverse order, errors ignored. */
  addCleanup(fn: () => Promise<void>): void {
    this.cleanups.push(fn);
  }

  /** Run the kill-and-remove script again (no QMP): for a start that raced with a cancel. */
  async sweep(): Promise<void> {
    await this.transport.exec(teardownScript(this.paths.workDir, this.paths.pidFile, 0), { timeoutMs: 30_000 });
  }

  private async doTeardown(): Promise<void> {
    this.offAbort();
    try {
      if (this.qmp && !this.qmp.isClosed) await this.qmp.quit({ timeoutMs: 3_000 }).catch(() => {});
      this.qmp?.close();
      await this.console.poll().catch(() => {});
      await this.transport.exec(teardownScript(this.paths.workDir, this.paths.pidFile), { timeoutMs: 30_000 });
    } finally {
      for (const fn of this.cleanups.reverse()) await fn().catch(() => {});
      live.delete(this);
      this.offEmergency();
    }
  }
}

/** Start QEMU on the transport's host, connect QMP, return the handle. On any failure the VM is torn down. */
export async function launchVm(transport: Transport, spec: VmSpec, options: LaunchOptions = {}): Promise<Vm> {
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
  const vm = new Vm(transport, finalSpec, paths, argv, signal);
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

/** Tear down every VM this process still has (SIGINT handler, afterAll). */
export async function teardownAllVms(): Promise<void> {
  await Promise.allSettled([...live].map((vm) => vm.teardown()));
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

async function withOverlays(
  transport: Transport,
  spec: VmSpec,
  workDir: string,
  signal?: AbortSignal,
): Promise<VmSpec> {
  if (!spec.disks?.some((d) => d.overlay)) return spec;
  const disks = [];
  for (const [i, disk] of spec.disks.entries()) {
    if (!disk.overlay) {
      disks.push(disk);
      continue;
    }
    const overlay = `${workDir}/disk${i}-overlay.qcow2`;
    await transport
      .exec(`qemu-img create -q -f qcow2 -F ${disk.format} -b ${shellQuote(disk.path)} ${shellQuote(overlay)}`, {
        timeoutMs: 30_000,
        signal,
      })
      .then(check(transport, 'qemu-img create (overlay)'));
    disks.push({ ...disk, path: overlay, format: 'qcow2' as const, overlay: false });
  }
  return { ...spec, disks };
}

function check(transport: Transport, what: string) {
  return (r: { exitCode: number | null; stderr: string }) => {
    if (r.exitCode !== 0)
      throw new HwqualError('E_VM', `${what} on ${transport.host} failed: ${r.stderr.trim()}`, {
        host: transport.host,
      });
    return r;
  };
}
