import { describe, expect, it } from 'vitest';
import { parseGuestFacts } from '../../src/probe/guest-facts.ts';
import { findPanicLine, GuestPanicError } from '../../src/vm/panic.ts';
import { moduleLoadOrder, moduleName } from '../../src/vm/images/modules.ts';
import { AssertionFailure } from '../../src/model/errors.ts';

const consoleText = [
  '[    0.000000] Linux version 6.1.0',
  'HWQUAL-READY image=tiny',
  'HWQUAL-FACTS-BEGIN\r',
  'HWQUAL-FACT image=tiny',
  'HWQUAL-FACT kernel=6.1.0-56-cloud-amd64',
  'HWQUAL-FACT cpu_model=Intel Xeon Processor (Icelake)',
  'HWQUAL-FACT cpu_flags=fpu sse4_2 aes avx2',
  'HWQUAL-FACT cpus=2',
  'HWQUAL-FACT mem_total_kib=222620',
  'HWQUAL-FACT block_devices=vda:131072,vdb:2048',
  'HWQUAL-FACT modules=virtio,virtio_blk',
  'HWQUAL-FACT cmdline=console=ttyS0 hwqual.run=facts',
  'HWQUAL-FACTS-END',
  'HWQUAL-POWEROFF',
].join('\n');

describe('parseGuestFacts', () => {
  it('reads the facts block', () => {
    const f = parseGuestFacts(consoleText)!;
    expect(f.kernel).toBe('6.1.0-56-cloud-amd64');
    expect(f.cpuModel).toBe('Intel Xeon Processor (Icelake)');
    expect(f.cpuFlags).toEqual(['fpu', 'sse4_2', 'aes', 'avx2']);
    expect(f.cpus).toBe(2);
    expect(f.memTotalKiB).toBe(222620);
    expect(f.blockDevices).toEqual([
      { name: 'vda', sectors: 131072 },
      { name: 'vdb', sectors: 2048 },
    ]);
    expect(f.modules).toEqual(['virtio', 'virtio_blk']);
    expect(f.cmdline).toBe('console=ttyS0 hwqual.run=facts');
  });

  it('returns undefined without a complete block, and empty lists for empty values', () => {
    expect(parseGuestFacts('HWQUAL-FACTS-BEGIN\nHWQUAL-FACT kernel=x\n')).toBeUndefined();
    const f = parseGuestFacts('HWQUAL-FACTS-BEGIN\nHWQUAL-FACT block_devices=\nHWQUAL-FACTS-END')!;
    expect(f.blockDevices).toEqual([]);
    expect(f.cpus).toBeUndefined();
  });
});

describe('findPanicLine', () => {
  it('quotes the kernel panic line', () => {
    const text =
      'HWQUAL-PANIC-NOW\n[    2.1] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100\n[    ' +
      '2.2] CPU: 0 PID: 1';
    expect(findPanicLine(text)).toBe('Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100');
    expect(findPanicLine(text, text.indexOf('CPU:'))).toBeUndefined();
    expect(findPanicLine('all good\n')).toBeUndefined();
  });

  it('is an assertion failure (the case is failed, not error)', () => {
    const e = new GuestPanicError('Kernel panic - not syncing: VFS', 'tiny');
    expect(e).toBeInstanceOf(AssertionFailure);
    expect(e.message).toContain('Kernel panic - not syncing: VFS');
  });
});

describe('moduleLoadOrder', () => {
  const dep = [
    'kernel/drivers/virtio/virtio.ko:',
    'kernel/drivers/virtio/virtio_ring.ko:',
    'kernel/drivers/virtio/virtio_pci_modern_dev.ko:',
    'kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_modern_dev.ko ' +
      'kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko',
    'kernel/drivers/block/virtio_blk.ko.xz: kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko',
  ].join('\n');

  it('loads dependencies first, each once', () => {
    expect(moduleLoadOrder(['virtio_pci', 'virtio_blk'], dep, '')).toEqual([
      'kernel/drivers/virtio/virtio.ko',
      'kernel/drivers/virtio/virtio_ring.ko',
      'kernel/drivers/virtio/virtio_pci_modern_dev.ko',
      'kernel/drivers/virtio/virtio_pci.ko',
      'kernel/drivers/block/virtio_blk.ko.xz',
    ]);
  });

  it('skips built-in modules and refuses unknown ones', () => {
    expect(moduleLoadOrder(['virtio_console'], dep, 'kernel/drivers/char/virtio_console.ko\n')).toEqual([]);
    expect(() => moduleLoadOrder(['nope'], dep, '')).toThrow(/nope/);
    expect(moduleName('kernel/drivers/char/hw_random/virtio-rng.ko.zst')).toBe('virtio_rng');
  });
});
