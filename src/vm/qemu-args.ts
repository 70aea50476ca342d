import { HwqualError } from '../model/errors.ts';
import type { VmPaths, VmSpec } from './spec.ts';

const DEFAULTS = { machine: 'q35', cpu: 'max', memoryMiB: 512, vcpus: 1 } as const;

/**
 * VmSpec → QEMU argv (without the binary). Pure. QEMU daemonizes after start-up, so a failed start shows up as a
 * non-zero exit with QEMU's own message, and the pid file names the process to kill.
 */
export function buildQemuArgs(spec: VmSpec, paths: VmPaths): string[] {
  validate(spec);
  const cpu = spec.cpu ?? DEFAULTS.cpu;
  const args = [
    '-name',
    spec.name ?? 'hwqual',
    '-nodefaults',
    '-no-user-config',
    '-no-reboot',
    '-machine',
    spec.machine ?? DEFAULTS.machine,
    '-accel',
    spec.accel,
    // `-machine none` (a QEMU for QMP queries only) has no CPUs to configure.
    ...(spec.machine === 'none' ? [] : ['-cpu', cpu, '-smp', String(spec.vcpus ?? DEFAULTS.vcpus)]),
    '-m',
    spec.memoryPadKiB
      ? `${(spec.memoryMiB ?? DEFAULTS.memoryMiB) * 1024 + spec.memoryPadKiB}K`
      : String(spec.memoryMiB ?? DEFAULTS.memoryMiB),
    '-display',
    'none',
    '-monitor',
    'none',
    '-serial',
    `file:${paths.console}`,
    '-qmp',
    `unix:${paths.qmpSocket},server=on,wait=off`,
    '-pidfile',
    paths.pidFile,
    '-nic',
    'none',
    '-daemonize',
  ];
  if (spec.kernel) {
    args.push('-kernel', spec.kernel.kernel);
    if (spec.kernel.initrd) args.push('-initrd', spec.kernel.initrd);
    if (spec.kernel.append) args.push('-append', spec.kernel.append);
  }
  (spec.disks ?? []).forEach((disk, i) => {
    const node = `disk${i}`;
    const ro = disk.readOnly ? 'on' : 'off';
    const secret = disk.encryption && (disk.encryption.secretId ?? `${node}-secret`);
    // The key is read by QEMU from its file: it is on no command line.
    if (disk.encryption) args.push('-object', `secret,id=${secret},file=${escapeOpt(disk.encryption.keyFile)}`);
    args.push(
      '-blockdev',
      `driver=file,node-name=${node}-file,filename=${escapeOpt(disk.path)},read-only=${ro}`,
      '-blockdev',
      `driver=${disk.format},node-name=${node},file=${node}-file,read-only=${ro}` +
        (secret ? `,encrypt.format=luks,encrypt.key-secret=${secret}` : ''),
      '-device',
      `virtio-blk-pci,drive=${node},id=vd${i}`,
    );
  });
  for (const s of spec.serialSockets ?? [])
    args.push(
      '-chardev',
      `socket,id=${s.id},path=${escapeOpt(s.path)},server=on,wait=off`,
      '-serial',
      `chardev:${s.id}`,
    );
  if (spec.guestAgent) {
    args.push(
      '-chardev',
      `socket,id=qga0,path=${paths.qgaSocket},server=on,wait=off`,
      '-device',
      'virtio-serial',
      '-device',
      'virtserialport,chardev=qga0,name=org.qemu.guest_agent.0',
    );
  }
  if (spec.incoming) args.push('-incoming', spec.incoming);
  args.push(...(spec.extraArgs ?? []));
  return args;
}

function validate(spec: VmSpec): void {
  if (spec.accel !== 'kvm' && spec.accel !== 'tcg') {
    throw new HwqualError('E_VM', `unknown accelerator '${String(spec.accel)}' (use kvm or tcg)`);
  }
  if (spec.cpu === 'host' && spec.accel !== 'kvm') {
    throw new HwqualError(
      'E_VM',
      "CPU model 'host' needs KVM, but this VM runs under tcg (KVM absent or unusable on the host): use a named " +
        "model or 'max'",
    );
  }
  if (!spec.kernel && !(spec.disks ?? []).length && spec.machine !== 'none') {
    throw new HwqualError('E_VM', 'a VM needs a kernel or at least one disk to boot from');
  }
  if (spec.memoryMiB !== undefined && !(Number.isInteger(spec.memoryMiB) && spec.memoryMiB >= 16)) {
    throw new HwqualError('E_VM', `memoryMiB must be an integer >= 16, got ${spec.memoryMiB}`);
  }
  if (
    spec.memoryPadKiB !== undefined &&
    !(Number.isInteger(spec.memoryPadKiB) && spec.memoryPadKiB >= 0 && spec.memoryPadKiB % 8 === 0)
  ) {
    throw new HwqualError('E_VM', `memoryPadKiB must be a multiple of 8 KiB, got ${spec.memoryPadKiB}`);
  }
  for (const d of spec.disks ?? [])
    if (d.encryption && d.format !== 'qcow2')
      throw new HwqualError('E_VM', `${d.path}: an encrypted disk is a qcow2 image with LUKS inside (format qcow2)`);
  if (spec.vcpus !== undefined && !(Number.isInteger(spec.vcpus) && spec.vcpus >= 1)) {
    throw new HwqualError('E_VM', `vcpus must be an integer >= 1, got ${spec.vcpus}`);
  }
}

/** QEMU's option syntax doubles commas inside a value. */
function escapeOpt(value: string): string {
  return value.replace(/,/g, ',,');
}
