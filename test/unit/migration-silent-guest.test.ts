// What hwqual says about a guest that fell silent after a hop: the kernel's own words from its console (an oops,
// a panic, SysRq-L backtraces) reduced to the lines a reviewer needs, and the workload's kernel command line.
import { describe, expect, it } from 'vitest';
import { kernelReport, workloadAppend } from '../../src/migration/index.ts';

// An oops in the format Debian's 6.1 cloud kernel prints it on a serial console (timestamps, register dump, IRQ
// markers), made up for the test; the panic line is the one seen on a destination here.
const OOPS = [
  '[    9.905011] BUG: kernel NULL pointer dereference, address: 0000000000000240',
  '[    9.905100] #PF: supervisor read access in kernel mode',
  '[    9.905200] Oops: 0000 [#1] PREEMPT SMP PTI',
  '[    9.905300] CPU: 0 PID: 0 Comm: swapper/0 Not tainted 6.1.0-56-cloud-amd64 #1  Debian 6.1.192-2',
  '[    9.905400] RIP: 0010:rb_erase+0x2e/0x3a0',
  '[    9.905500] Code: 48 8b 47 08 48 85 c0 0f 84',
  '[    9.905600] RSP: 0018:ffffb8a7c0003e70 EFLAGS: 00010046',
  '[    9.906000] Call Trace:',
  '[    9.906001]  <IRQ>',
  '[    9.906002]  timerqueue_del+0x2e/0x50',
  '[    9.906003]  __remove_hrtimer+0x39/0x90',
  '[    9.906004]  ? hrtimer_interrupt+0x100/0x220',
  '[    9.906005]  __hrtimer_run_queues+0x12a/0x2b0',
  '[    9.906006]  </IRQ>',
  '[    9.906839] FS:  0000000000000000(0000) GS:ff479f2c47800000(0000) knlGS:0000000000000000',
  '[    9.907091] Kernel panic - not syncing: Fatal exception in interrupt',
  '[    9.907576] Kernel Offset: 0x1400000 from 0xffffffff81000000',
].join('\r\n');

describe('kernelReport', () => {
  it('keeps the BUG, Oops, RIP and panic lines and the first frames of the call trace', () => {
    const r = kernelReport(OOPS.replace(/\r/g, ''));
    expect(r.split(' | ')).toEqual([
      'BUG: kernel NULL pointer dereference, address: 0000000000000240',
      'Oops: 0000 [#1] PREEMPT SMP PTI',
      'RIP: 0010:rb_erase+0x2e/0x3a0',
      'Call Trace: timerqueue_del+0x2e/0x50 < __remove_hrtimer+0x39/0x90 < ? hrtimer_interrupt+0x100/0x220 < ' +
        '__hrtimer_run_queues+0x12a/0x2b0',
      'Kernel panic - not syncing: Fatal exception in interrupt',
    ]);
  });

  it('keeps a WARNING line and says a repeated trace once', () => {
    const warn = [
      '[   11.200000] WARNING: CPU: 0 PID: 0 at kernel/context_tracking.c:128 ct_nmi_exit+0x95/0xa0',
      '[   11.200100] RIP: 0010:ct_nmi_exit+0x95/0xa0',
      '[   11.200200] Call Trace:',
      '[   11.200300]  irqentry_exit+0x2d/0x40',
    ].join('\n');
    expect(kernelReport(`${warn}\n${warn}\n`).split(' | ')).toEqual([
      'WARNING: CPU: 0 PID: 0 at kernel/context_tracking.c:128 ct_nmi_exit+0x95/0xa0',
      'RIP: 0010:ct_nmi_exit+0x95/0xa0',
      'Call Trace: irqentry_exit+0x2d/0x40',
    ]);
  });

  it('says nothing for a console without a kernel report (heartbeats, boot lines)', () => {
    expect(kernelReport('[    0.000000] Linux version 6.1.0\nHWQUAL-READY\nRIP is a word here\n')).toBe('');
  });
});

describe('workloadAppend', () => {
  it("the workload guest: SysRq (for a silent one's backtrace); under TCG pti=on, a kernel entry per 64 pages", () => {
    expect(workloadAppend({ accel: 'tcg', memoryMiB: 256, wssMiB: 32, dirtyMiBps: 8 }).split(' ')).toEqual([
      'hwqual.wss=32',
      'hwqual.dirty=8',
      'hwqual.hb=/dev/ttyS1',
      'sysrq_always_enabled',
      'pti=on',
      'hwqual.flush=64',
    ]);
    expect(workloadAppend({ accel: 'kvm', memoryMiB: 256, wssMiB: 32, dirtyMiBps: 8 })).not.toMatch(/pti=on|flush/);
  });
});
