// The diagnosis of a guest that stops talking, on a real workload guest (tiny image, TCG, local host): the
// heartbeat stream's state, QEMU's view of the port, the vCPU, and the guest kernel's own backtrace, which hwqual
// asks for with Alt-SysRq-L. The padding a TCG migration guest gets shows on its command line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalTransport } from '../../src/transport/local.ts';
import { ensureImage } from '../../src/vm/images/builder.ts';
import { type GuestHandle, launchWorkloadGuest, LineCollector, silentGuest } from '../../src/migration/index.ts';
import { qemuRunningIn } from './vm-support.ts';

const local = new LocalTransport('local');
let g: GuestHandle;
const collector = new LineCollector();

beforeAll(async () => {
  const tiny = await ensureImage('tiny');
  g = await launchWorkloadGuest(
    local,
    'here',
    tiny,
    { accel: 'tcg', memoryMiB: 128, wssMiB: 8, dirtyMiBps: 4 },
    collector,
  );
  await g.vm.waitForConsole(/HWQUAL-WORKLOAD start/, { timeoutMs: 60_000 });
}, 90_000);

afterAll(async () => {
  await g?.vm.teardown();
  if (g) expect(await qemuRunningIn(g.vm.paths.workDir)).toBe(false);
});

describe('silent guest diagnosis', () => {
  it('a TCG migration guest gets 8 KiB more RAM than asked (QEMU < 9.0 dirty-sync fast path avoided)', async () => {
    const r = await local.exec(`tr '\\0' ' ' < /proc/$(cat ${g.vm.paths.pidFile})/cmdline`);
    expect(r.stdout).toMatch(/ -m 131080K /);
    expect(r.stdout).toMatch(/sysrq_always_enabled/);
  });

  it('names the stream, the port, the vCPU and the guest kernel backtrace', async () => {
    await expect.poll(() => collector.heartbeats.length, { timeout: 20_000 }).toBeGreaterThan(10);
    const text = await silentGuest(g);
    expect(text).toMatch(/^heartbeat stream from here: [1-9]\d* bytes received, open; /);
    expect(text).toMatch(/chardev hb: unix:\S+hb\.sock,server=on/);
    expect(text).toMatch(/vCPU RIP=[0-9a-f]{16} (halted|running), interrupts (on|off)( at: .+)?;/);
    // SysRq-L: the kernel prints a backtrace of its CPU (or says where it idles); the report keeps the frames.
    expect(text).toMatch(/guest kernel: .*(Call Trace: \S+\+0x|NMI backtrace for cpu 0 skipped: idling at \S+\+0x)/);
  }, 30_000);

  it('when QEMU is gone it says so and still reports what the console holds', async () => {
    g.vm.qmp.close();
    const text = await silentGuest(g);
    expect(text).toMatch(/its QMP connection is closed/);
    expect(text).not.toMatch(/vCPU RIP|sendkey/);
    // The console still holds the backtrace the previous test asked for.
    expect(text).toMatch(/guest kernel: .*(Call Trace: |NMI backtrace)/);
  });
});
