import type { HopReport } from './types.ts';

/** A hop passed when the migration completed and every check of the verdict held. */
export function hopPassed(h: HopReport): boolean {
  return h.outcome === 'completed' && h.checks.every((c) => c.ok);
}
