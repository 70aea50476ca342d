import { beforeAll, describe, expect, it } from 'vitest';
import { LocalTransport } from '../../src/transport/local.ts';
import { bootImage, launchImage, waitUntilReady } from '../../src/vm/images/boot.ts';
import { ensureImage } from '../../src/vm/images/builder.ts';
import type { BuiltImage } from '../../src/vm/images/built-image.ts';
import { GuestPanicError } from '../../src/vm/panic.ts';
import { qemuRunningIn } from './vm-support.ts';

const local = new LocalTransport('local');

describe('tiny guest images on local (tcg)', () => {
  let tiny: BuiltImage;
  let generic: BuiltImage;
  beforeAll(async () => {
    tiny = await ensureImage('tiny');
    generic = await ensureImage('tiny-generic');
  });

  it('boots the cloud-kernel image to ready and reports its facts, with a -blockdev disk visible', async () => {
    const disk = `/tmp/hwqual-test-disk-${process.pid}.raw`;
    await local.exec(`truncate -s 8M ${disk}`);
    const { vm, facts } = await bootImage(local, tiny, {
      accel: 'tcg',
      cpu: 'max',
      vcpus: 2,
      memoryMiB: 256,
      run: 'facts',
      extraDisks: [{ path: disk, format: 'raw' }],
    });
    try {
      expect(facts?.image).toBe('tiny');
      expect(facts?.kernel).toMatch(/-cloud-amd64$/);
      expect(facts?.cpus).toBe(2);
      expect(facts?.cpuFlags).toContain('sse2');
      expect(facts?.memTotalKiB).toBeGreaterThan(100_000);
      expect(facts?.blockDevices).toContainEqual({ name: 'vda', sectors: 16384 });
      expect(facts?.modules).toEqual(expect.arrayContaining(['virtio_blk', 'virtio_pci', 'virtio_console']));
      await vm.waitForConsole(/HWQUAL-POWEROFF/, { timeoutMs: 30_000 });
    } finally {
      await vm.teardown();
      await local.exec(`rm -f ${disk}`);
    }
    expect(vm.console.text).toContain('HWQUAL-READY image=tiny');
    expect(await qemuRunningIn(vm.paths.workDir)).toBe(false);
  });

  it('boots the generic-kernel image too', async () => {
    const { vm, facts } = await bootImage(local, generic, { accel: 'tcg', cpu: 'qemu64', run: 'facts' });
    await vm.teardown();
    expect(facts?.image).toBe('tiny-generic');
    expect(facts?.kernel).toMatch(/^\d+\.\d+\.\d+-\d+-amd64$/);
    expect(facts?.cpuFlags).not.toContain('avx2'); // qemu64 has no AVX2: the CPU model reaches the guest
  });

  it('detects a guest kernel panic and quotes the panic line', async () => {
    const err = await bootImage(local, tiny, { accel: 'tcg', run: 'panic', readyTimeoutMs: 60_000 })
      .then(async ({ vm }) => {
        await vm.waitForConsole(/HWQUAL-POWEROFF/, { timeoutMs: 60_000 }).finally(() => vm.teardown());
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GuestPanicError);
    expect((err as GuestPanicError).panicLine).toMatch(/^Kernel panic - not syncing: Attempted to kill init!/);
    expect((err as Error).message).toContain('Attempted to kill init');
  });

  it('keeps an idle guest up with heartbeats; a cancel (AbortSignal) tears it down, no QEMU left', async () => {
    const ac = new AbortController();
    const vm = await launchImage(local, tiny, { accel: 'tcg', run: 'idle', signal: ac.signal });
    await waitUntilReady(vm, tiny, { timeoutMs: 60_000, signal: ac.signal });
    const first = await vm.waitForConsole(/HWQUAL-HEARTBEAT (\d+)/, { timeoutMs: 30_000 });
    const next = await vm.waitForConsole(/HWQUAL-HEARTBEAT (\d+)/, { timeoutMs: 30_000, from: first.end });
    expect(Number(next.match[1])).toBeGreaterThan(Number(first.match[1]));
    expect((await vm.qmp.queryStatus()).running).toBe(true);
    expect(await qemuRunningIn(vm.paths.workDir)).toBe(true);
    const waiting = vm
      .waitForConsole(/never-printed/, { timeoutMs: 60_000, signal: ac.signal })
      .catch((e: unknown) => e);
    ac.abort();
    expect(await waiting).toMatchObject({ code: 'E_CANCELLED' });
    await vm.teardown(); // the same teardown the abort started
    expect(await qemuRunningIn(vm.paths.workDir)).toBe(false);
  });

  it('a timeout tears the VM down: no QEMU process is left', async () => {
    const workDir = `/tmp/hwqual-vms/timeout-test-${process.pid}`;
    const err = await bootImage(local, tiny, { accel: 'tcg', run: 'idle', readyTimeoutMs: 200, workDir }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'E_TIMEOUT' });
    expect(await qemuRunningIn(workDir)).toBe(false);
    expect((await local.exec(`test -e ${workDir}`)).exitCode).not.toBe(0);
  });
});
