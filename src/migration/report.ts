import type { HopReport } from './types.ts';

/**
 * A hop passed when the migration completed with QEMU's final figures (a missing one is the harness's error, never a
 * pass without it) and every check of the verdict held.
 */
export function hopPassed(h: HopReport): boolean {
  return h.outcome === 'completed' && !h.notReported?.length && h.checks.every((c) => c.ok);
}
