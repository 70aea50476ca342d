// The rules that decide whether an error met while using a guest is the guest's fault (failed, in its own words) or
// the lab's (error). The VM here is a stand-in with a console text and an alive flag — the decision is pure given
// those; test/integration/guest-misbehaves.test.ts drives the same rules with real guests.
import { describe, expect, it } from 'vitest';
import { AssertionFailure, HwqualError } from '../../src/model/errors.ts';
import { blameGuest, guestStep } from '../../src/vm/guest-fault.ts';
import {
  consoleShowsGuestRan,
  GuestFaultError,
  GuestNeverReadyError,
  GuestPanicError,
  guestProblemLines,
} from '../../src/vm/panic.ts';
import type { Vm } from '../../src/vm/vm.ts';

const BUG = [
  'MYGUEST-READY',
  '[    4.662322] BUG: kernel NULL pointer dereference, address: 0000000000000000',
  '[    4.663299] #PF: supervisor write access in kernel mode',
  '[    4.665998] Oops: 0002 [#1] PREEMPT SMP NOPTI',
  '[    4.666272] CPU: 0 PID: 122 Comm: insmod Tainted: G           OE      6.1.0-57-cloud-amd64 #1',
  '[    5.1] reboot: Power down',
].join('\n');

function fakeVm(text: string, alive: boolean): Vm {
  return {
    name: 'gi-user',
    console: { text, poll: async () => 0 },
    isAlive: async () => alive,
  } as unknown as Vm;
}

const qmpClosed = new HwqualError('E_VM', 'QMP connection closed');

describe('blameGuest', () => {
  it('QEMU gone and a BUG line on the console: failed, quoting it, saying what hwqual was doing', async () => {
    const err = await blameGuest(fakeVm(BUG, false), qmpClosed, 'shutting the guest down (acpi)');
    expect(err).toBeInstanceOf(GuestFaultError);
    expect(err).toBeInstanceOf(AssertionFailure);
    expect((err as Error).message).toBe(
      'guest gi-user: BUG: kernel NULL pointer dereference, address: 0000000000000000 — QEMU exited while hwqual ' +
        'was shutting the guest down (acpi) (QMP connection closed)',
    );
    expect((err as GuestFaultError).actual).toBe('BUG: kernel NULL pointer dereference, address: 0000000000000000');
  });

  it('a guest that still runs but stopped answering (timeout) with an Oops on its console: failed', async () => {
    const timeout = new HwqualError('E_TIMEOUT', 'guest agent did not answer within 5000 ms');
    const err = await blameGuest(fakeVm(BUG, true), timeout, 'running the LUKS round trip in the guest');
    expect((err as Error).message).toMatch(/the guest stopped answering while hwqual was running the LUKS round trip/);
  });

  it('a panic is quoted as a panic', async () => {
    const text = 'x\n[ 2.1] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100\n';
    const err = await blameGuest(fakeVm(text, false), qmpClosed, 'reading the facts');
    expect(err).toBeInstanceOf(GuestPanicError);
    expect((err as Error).message).toMatch(/panicked: Kernel panic - not syncing: Attempted to kill init!.*reading/);
  });

  it(
    'stays an error when the console shows nothing wrong, when QEMU ' +
      'runs and the error is not a timeout, or on cancel',
    async () => {
      const clean = 'MYGUEST-READY\n[ 5.1] reboot: Power down\n';
      expect(await blameGuest(fakeVm(clean, false), qmpClosed, 'x')).toBe(qmpClosed);
      const refused = new HwqualError('E_VM', 'QMP system_powerdown: GenericError: no');
      expect(await blameGuest(fakeVm(BUG, true), refused, 'x')).toBe(refused);
      const cancelled = new HwqualError('E_CANCELLED', 'cancelled');
      expect(await blameGuest(fakeVm(BUG, false), cancelled, 'x')).toBe(cancelled);
      const failed = new AssertionFailure('already failed');
      expect(await blameGuest(fakeVm(BUG, false), failed, 'x')).toBe(failed);
    },
  );

  it('guestStep passes results through and judges errors', async () => {
    expect(await guestStep(fakeVm(BUG, false), 'x', async () => 42)).toBe(42);
    await expect(
      guestStep(fakeVm(BUG, false), 'waiting', async () => {
        throw qmpClosed;
      }),
    ).rejects.toBeInstanceOf(GuestFaultError);
  });
});

describe('console evidence', () => {
  it('problem lines: BUG, Oops, WARNING, panic (panic first), without timestamps', () => {
    const warn = '[ 3.0] WARNING: CPU: 0 PID: 1 at drivers/x.c:10 f+0x1/0x2\n';
    expect(guestProblemLines(`${BUG}\n${warn}`)).toEqual([
      'BUG: kernel NULL pointer dereference, address: 0000000000000000',
      'Oops: 0002 [#1] PREEMPT SMP NOPTI',
      'WARNING: CPU: 0 PID: 1 at drivers/x.c:10 f+0x1/0x2',
    ]);
    expect(guestProblemLines('MYGUEST-READY\nall fine\n')).toEqual([]);
  });

  it('the guest ran when its console shows more than firmware banners', () => {
    expect(consoleShowsGuestRan('')).toBe(false);
    expect(consoleShowsGuestRan('\n  \n')).toBe(false);
    expect(consoleShowsGuestRan('SeaBIOS (version 1.16.2)\nBooting from ROM..\n')).toBe(false);
    expect(consoleShowsGuestRan('Booting from ROM..\nstill starting up, step 1\n')).toBe(true);
    expect(consoleShowsGuestRan('[    0.000000] Linux version 6.1.0\n')).toBe(true);
  });

  it('never ready is an assertion failure with the last lines', () => {
    const e = new GuestNeverReadyError('g', 15, 'last console lines: a | b');
    expect(e).toBeInstanceOf(AssertionFailure);
    expect(e.message).toBe('guest g: booted, never ready within 15 s: last console lines: a | b');
  });
});
