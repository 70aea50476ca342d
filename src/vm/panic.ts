import { AssertionFailure } from '../model/errors.ts';

/** Lines that mean the guest kernel died. The first one found is quoted in the case's message. */
const PANIC_PATTERNS = [
  /Kernel panic - not syncing:[^\n]*/,
  /Attempted to kill init[^\n]*/,
  /BUG: kernel NULL pointer dereference[^\n]*/,
];

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

/** The guest panicked: the system under test failed (case `failed`), the message quotes the panic line. */
export class GuestPanicError extends AssertionFailure {
  constructor(
    readonly panicLine: string,
    readonly vmName: string,
  ) {
    super(`guest ${vmName} panicked: ${panicLine}`, 'guest boots without a kernel panic', panicLine);
    this.name = 'GuestPanicError';
  }
}
