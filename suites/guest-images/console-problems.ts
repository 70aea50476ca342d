import { findPanicLine } from '../../src/suite-api/vm.ts';

/** Console lines that mean the guest kernel went wrong, besides a panic (src/vm/panic.ts). */
const PROBLEM_LINE = new RegExp(
  '(^|\\s)(Oops(: | - )|BUG: |kernel BUG at |general protection fault|Kernel panic - not syncing|' +
    'WARNING: CPU: \\d+ PID: )',
);

/** The panic/oops/BUG lines of a console text, each trimmed (the panic line first when there is one). Pure. */
export function consoleProblems(text: string): string[] {
  const lines = text
    .replace(/\r/g, '')
    .split('\n')
    .map((l) => l.replace(/^\[\s*\d+\.\d+\]\s*/, '').trim())
    .filter((l) => PROBLEM_LINE.test(l));
  const panic = findPanicLine(text);
  return [...new Set([...(panic ? [panic] : []), ...lines])];
}
