import { describe, expect, it } from 'vitest';
import { tcgMigrationPadKiB } from '../../src/migration/index.ts';
import { buildQemuArgs } from '../../src/vm/qemu-args.ts';
import { vmPaths } from '../../src/vm/spec.ts';
import { shellJoin } from '../../src/vm/shell.ts';

const paths = vmPaths('/tmp/hwqual-vms/t-1');
const kernel = { kernel: '/img/vmlinuz', initrd: '/img/initrd.img', append: 'console=ttyS0 hwqual.run=facts' };

function opt(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
}

describe('buildQemuArgs', () => {
  it('daemonizes headless with QMP, serial file, pid file and no network or default devices', () => {
    const args = buildQemuArgs({ accel: 'tcg', kernel }, paths);
    expect(args).toContain('-nodefaults');
    expect(args).toContain('-daemonize');
    expect(opt(args, '-display')).toEqual(['none']);
    expect(opt(args, '-monitor')).toEqual(['none']);
    expect(opt(args, '-serial')).toEqual(['file:/tmp/hwqual-vms/t-1/console.log']);
    expect(opt(args, '-qmp')).toEqual(['unix:/tmp/hwqual-vms/t-1/qmp.sock,server=on,wait=off']);
    expect(opt(args, '-pidfile')).toEqual(['/tmp/hwqual-vms/t-1/qemu.pid']);
    expect(opt(args, '-nic')).toEqual(['none']);
    expect(opt(args, '-accel')).toEqual(['tcg']);
    expect(args).not.toContain('-nographic');
  });

  it('passes machine, cpu, memory, vcpus, kernel, initrd and append', () => {
    const args = buildQemuArgs(
      { accel: 'kvm', machine: 'pc-q35-7.2', cpu: 'Icelake-Server', memoryMiB: 1024, vcpus: 2, kernel },
      paths,
    );
    expect(opt(args, '-machine')).toEqual(['pc-q35-7.2']);
    expect(opt(args, '-cpu')).toEqual(['Icelake-Server']);
    expect(opt(args, '-accel')).toEqual(['kvm']);
    expect(opt(args, '-m')).toEqual(['1024']);
    expect(opt(args, '-smp')).toEqual(['2']);
    expect(opt(args, '-kernel')).toEqual(['/img/vmlinuz']);
    expect(opt(args, '-initrd')).toEqual(['/img/initrd.img']);
    expect(opt(args, '-append')).toEqual(['console=ttyS0 hwqual.run=facts']);
  });

  it('defaults to q35, max, 512 MiB, 1 vCPU', () => {
    const args = buildQemuArgs({ accel: 'tcg', kernel }, paths);
    expect([opt(args, '-machine'), opt(args, '-cpu'), opt(args, '-m'), opt(args, '-smp')]).toEqual([
      ['q35'],
      ['max'],
      ['512'],
      ['1'],
    ]);
  });

  it('attaches disks as -blockdev file + format nodes on virtio-blk, commas escaped', () => {
    const args = buildQemuArgs(
      {
        accel: 'tcg',
        disks: [
          { path: '/d/a,b.qcow2', format: 'qcow2' },
          { path: '/d/seed.iso', format: 'raw', readOnly: true },
        ],
      },
      paths,
    );
    expect(opt(args, '-blockdev')).toEqual([
      'driver=file,node-name=disk0-file,filename=/d/a,,b.qcow2,read-only=off',
      'driver=qcow2,node-name=disk0,file=disk0-file,read-only=off',
      'driver=file,node-name=disk1-file,filename=/d/seed.iso,read-only=on',
      'driver=raw,node-name=disk1,file=disk1-file,read-only=on',
    ]);
    expect(opt(args, '-device')).toEqual(['virtio-blk-pci,drive=disk0,id=vd0', 'virtio-blk-pci,drive=disk1,id=vd1']);
  });

  it('adds the guest agent channel only when asked', () => {
    expect(buildQemuArgs({ accel: 'tcg', kernel }, paths)).not.toContain('virtio-serial');
    const args = buildQemuArgs({ accel: 'tcg', kernel, guestAgent: true }, paths);
    expect(opt(args, '-chardev')).toEqual(['socket,id=qga0,path=/tmp/hwqual-vms/t-1/qga.sock,server=on,wait=off']);
    expect(opt(args, '-device')).toEqual(['virtio-serial', 'virtserialport,chardev=qga0,name=org.qemu.guest_agent.0']);
  });

  it('refuses CPU model host without KVM, with a clear error', () => {
    expect(() => buildQemuArgs({ accel: 'tcg', cpu: 'host', kernel }, paths)).toThrow(/'host' needs KVM/);
    expect(opt(buildQemuArgs({ accel: 'kvm', cpu: 'host', kernel }, paths), '-cpu')).toEqual(['host']);
  });

  it('refuses a VM with nothing to boot, bad sizes and unknown accelerators', () => {
    expect(() => buildQemuArgs({ accel: 'tcg' }, paths)).toThrow(/kernel or at least one disk/);
    expect(() => buildQemuArgs({ accel: 'tcg', kernel, memoryMiB: 1.5 }, paths)).toThrow(/memoryMiB/);
    expect(() => buildQemuArgs({ accel: 'tcg', kernel, vcpus: 0 }, paths)).toThrow(/vcpus/);
    expect(() => buildQemuArgs({ accel: 'tcg', kernel, memoryPadKiB: 4 }, paths)).toThrow(
      /memoryPadKiB must be a multiple of 8 KiB/,
    );
    expect(() => buildQemuArgs({ accel: 'hvf' as 'tcg', kernel }, paths)).toThrow(/unknown accelerator/);
    expect(() => buildQemuArgs({ accel: 'tcg', machine: 'none' }, paths)).not.toThrow();
  });

  it('pads RAM by whole KiB when asked (a TCG migration guest: RAM no multiple of 256 KiB)', () => {
    expect(opt(buildQemuArgs({ accel: 'tcg', kernel, memoryMiB: 128, memoryPadKiB: 8 }, paths), '-m')).toEqual([
      '131080K',
    ]);
    expect(opt(buildQemuArgs({ accel: 'tcg', kernel, memoryMiB: 128 }, paths), '-m')).toEqual(['128']);
    expect(tcgMigrationPadKiB('tcg', {})).toBe(8);
    expect(tcgMigrationPadKiB('kvm', {})).toBeUndefined();
    expect(tcgMigrationPadKiB('tcg', { HWQUAL_TCG_MIGRATION_PAD_KIB: '0' })).toBeUndefined();
    expect(() => tcgMigrationPadKiB('tcg', { HWQUAL_TCG_MIGRATION_PAD_KIB: 'x' })).toThrow(
      /HWQUAL_TCG_MIGRATION_PAD_KIB must be a multiple of 8/,
    );
  });

  it('adds -incoming and extra args last', () => {
    const args = buildQemuArgs({ accel: 'tcg', kernel, incoming: 'tcp:127.0.0.1:4444', extraArgs: ['-S'] }, paths);
    expect(args.slice(-3)).toEqual(['-incoming', 'tcp:127.0.0.1:4444', '-S']);
  });

  it('an encrypted qcow2 disk: a secret object read from the key file, the key itself on no command line', () => {
    const args = buildQemuArgs(
      { accel: 'tcg', kernel, disks: [{ path: '/d/x.qcow2', format: 'qcow2', encryption: { keyFile: '/d/k,ey' } }] },
      paths,
    );
    expect(opt(args, '-object')).toEqual(['secret,id=disk0-secret,file=/d/k,,ey']);
    expect(opt(args, '-blockdev')[1]).toBe(
      'driver=qcow2,node-name=disk0,file=disk0-file,read-only=off,encrypt.format=luks,encrypt.key-secret=disk0-secret',
    );
    const named = buildQemuArgs(
      {
        accel: 'tcg',
        kernel,
        disks: [{ path: '/d/x', format: 'qcow2', encryption: { keyFile: '/k', secretId: 's0' } }],
      },
      paths,
    );
    expect(opt(named, '-object')).toEqual(['secret,id=s0,file=/k']);
    expect(() =>
      buildQemuArgs(
        { accel: 'tcg', kernel, disks: [{ path: '/x', format: 'raw', encryption: { keyFile: '/k' } }] },
        paths,
      ),
    ).toThrow(/qcow2 image with LUKS inside/);
  });

  it('serial sockets come after the file console, one chardev each (the heartbeat port is ttyS1)', () => {
    const args = buildQemuArgs({ accel: 'tcg', kernel, serialSockets: [{ id: 'hb', path: '/w/hb.sock' }] }, paths);
    expect(opt(args, '-serial')).toEqual(['file:/tmp/hwqual-vms/t-1/console.log', 'chardev:hb']);
    expect(opt(args, '-chardev')).toEqual(['socket,id=hb,path=/w/hb.sock,server=on,wait=off']);
  });

  it('shell-quotes argv for the remote command line', () => {
    expect(shellJoin(['-append', "console=ttyS0 a='b'", '-m', '512'])).toBe(
      `-append 'console=ttyS0 a='\\''b'\\''' -m 512`,
    );
  });
});
