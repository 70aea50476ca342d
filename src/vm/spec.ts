/** What a VM is made of: plain data, validated once by buildQemuArgs. */
export type Accel = 'kvm' | 'tcg';

export interface DiskSpec {
  /** Path on the host that runs QEMU. */
  path: string;
  format: 'raw' | 'qcow2';
  readOnly?: boolean;
  /**
   * Write to a throw-away qcow2 overlay in the VM's work dir, never to `path` (default true for shared images).
   * Handled by launchVm: buildQemuArgs sees the overlay's path.
   */
  overlay?: boolean;
  /**
   * A qcow2 image with LUKS inside (`encrypt.format=luks`), opened with the key in `keyFile` on the host — read by
   * QEMU itself (`-object secret,file=`) or set as a libvirt secret's value from that file: never on a command line.
   */
  encryption?: { keyFile: string /** QEMU's secret object id (default `disk<N>-secret`). */; secretId?: string };
}

export interface KernelBoot {
  kernel: string;
  initrd?: string;
  append?: string;
}

export interface VmSpec {
  /** Short label for logs and the work dir name. */
  name?: string;
  /** QEMU binary on the host (default qemu-system-x86_64). */
  qemuBinary?: string;
  /** Machine type (default q35), e.g. `pc-q35-7.2` for a mixed-version pool. */
  machine?: string;
  /** A named CPU model, `max`, or `host` (host needs KVM). Default `max`. */
  cpu?: string;
  accel: Accel;
  memoryMiB?: number;
  /**
   * KiB added to memoryMiB (a multiple of 8; QEMU rounds RAM to 8 KiB). Under TCG a migrated guest gets 8 KiB so
   * that its RAM is not a multiple of 256 KiB: see tcgMigrationPadKiB in src/migration/guest.ts.
   */
  memoryPadKiB?: number;
  vcpus?: number;
  kernel?: KernelBoot;
  disks?: DiskSpec[];
  /**
   * Serial ports after the console (ttyS1, ttyS2, …), each served as a unix socket on the host: the migration
   * workload's heartbeat. `id` names QEMU's chardev (libvirt names its own).
   */
  serialSockets?: Array<{ id: string; path: string }>;
  /** Add a virtio-serial port for qemu-guest-agent, served on `<workDir>/qga.sock`. */
  guestAgent?: boolean;
  /** `-incoming` for a migration destination (e.g. `tcp:127.0.0.1:4444` or `defer`). */
  incoming?: string;
  /**
   * Extra argv appended last; hwqual never puts a network device in by itself. The libvirt driver has no XML for
   * these: they go into `<qemu:commandline>`, listed in the domain XML and the log.
   */
  extraArgs?: string[];
}

/** Where a VM's files live on its host (all inside one unique work dir). */
export interface VmPaths {
  workDir: string;
  qmpSocket: string;
  qgaSocket: string;
  console: string;
  pidFile: string;
}

export function vmPaths(workDir: string): VmPaths {
  return {
    workDir,
    qmpSocket: `${workDir}/qmp.sock`,
    qgaSocket: `${workDir}/qga.sock`,
    console: `${workDir}/console.log`,
    pidFile: `${workDir}/qemu.pid`,
  };
}
