import { AssertionFailure } from '../model/errors.ts';

/** Lines that mean the guest kernel died. The first one found is quoted in the case's message. */
const PANIC_PATTERNS = [/Kernel panic - not syncing:[^\n]*/, /Attempted to kill init[^\n]*/];

/** Lines that mean the guest kernel went wrong, fatal or not: panic, Oops, BUG, WARNING, general protection fault. */
const PROBLEM_LINE = new RegExp(
  '(^|\\s)(Oops(: | - )|BUG: |kernel BUG at |general protection fault|Kernel panic - not syncing|' +
    'WARNING: CPU: \\d+ PID: )',
);

/** The panic line in a console text (from `from` on), or undefined. Pure. */
export function findPanicLine(text: string, from = 0): string | undefined {
  const part = text.slice(from);
  let best: { index: number; line: string } | undefined;
  for (const re of PANIC_PATTERNS) {
    const m = re.exec(part);
    if (m && (!best || m.index < best.index)) best = { index: m.index, line: m[0].trim() };
  }
  return best?.line;
}

/**
 * The panic/Oops/BUG/WARNING lines of a console text, in the order the guest printed them, each trimmed and without
 * its printk timestamp; the panic line first when there is one (it is what ended the guest). Pure.
 */
export function guestProblemLines(text: string): string[] {
  const lines = text
    .replace(/\r/g, '')
    .split('\n')
    .map((l) => l.replace(/^\[\s*\d+\.\d+\]\s*/, '').trim())
    .filter((l) => PROBLEM_LINE.test(l));
  const panic = findPanicLine(text);
  return [...new Set([...(panic ? [panic] : []), ...lines])];
}

/** Serial-console lines firmware and boot loaders print before any kernel runs. */
const FIRMWARE_LINE = new RegExp(
  `^(${[
    'SeaBIOS',
    'iPXE',
    'Booting from',
    'Boot failed',
    'No bootable device',
    'Press ESC',
    'BdsDxe',
    'UEFI',
    'EFI stub',
    'Loading Linux',
    'Loading initial ramdisk',
    'GRUB',
    'Welcome to GRUB',
    'Machine UUID',
    'Probing EDD',
    'Decompressing Linux',
    'Parsing ELF',
  ].join('|')})`,
);

/**
 * Did something of the guest's own run — its kernel or its init — by what its serial console shows? Anything beyond
 * blank lines and firmware or boot-loader banners counts. Pure.
 */
export function consoleShowsGuestRan(text: string): boolean {
  return text
    .replace(/\r/g, '')
    .split('\n')
    .some((l) => l.trim() !== '' && !FIRMWARE_LINE.test(l.trim()));
}

/**
 * The guest's kernel went wrong and the guest ended (or stopped answering): the system under test failed (case
 * `failed`), in its own words — the message quotes the console line and says what hwqual was doing then.
 */
export class GuestFaultError extends AssertionFailure {
  constructor(
    readonly problemLine: string,
    readonly vmName: string,
    /** e.g. `QEMU exited while hwqual was shutting the guest down (QMP connection closed)`. */
    readonly what: string,
  ) {
    super(
      `guest ${vmName}: ${problemLine} — ${what}`,
      'no panic, Oops, BUG or WARNING on the guest console',
      problemLine,
    );
    this.name = 'GuestFaultError';
  }
}

/** The guest panicked: the system under test failed (case `failed`), the message quotes the panic line. */
export class GuestPanicError extends AssertionFailure {
  constructor(
    readonly panicLine: string,
    readonly vmName: string,
    /** What hwqual was doing when the guest died, when known. */
    readonly doing?: string,
  ) {
    super(
      `guest ${vmName} panicked: ${panicLine}${doing ? ` (while hwqual was ${doing})` : ''}`,
      'guest boots without a kernel panic',
      panicLine,
    );
    this.name = 'GuestPanicError';
  }
}

/** The guest's kernel or init ran (its console shows output) but it never signalled ready: `failed`, not `error`. */
export class GuestNeverReadyError extends AssertionFailure {
  constructor(
    readonly vmName: string,
    readonly withinSec: number,
    readonly consoleTail: string,
  ) {
    super(
      `guest ${vmName}: booted, never ready within ${withinSec} s: ${consoleTail}`,
      `ready within ${withinSec} s`,
      consoleTail,
    );
    this.name = 'GuestNeverReadyError';
  }
}
