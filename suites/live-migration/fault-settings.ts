import { resolve } from 'node:path';
import { labLink, type Fault } from '../../src/suite-api/migration.ts';
import type { MigrationBlock } from './plan-schema.ts';

/**
 * `settings.migration.fault` — a fault injected into the first migration of each case (an experiment, not a
 * qualification run):
 *   fault: { kind: kill-destination | link-down, after: start | postcopy, at: 2 (s), down-for: 15 (s, link-down),
 *            lab-dir: .hwqual-lab (link-down: the lab-in-a-box whose link of the destination is cut) }
 */
export interface FaultSetting {
  kind: 'kill-destination' | 'link-down';
  after: 'start' | 'postcopy';
  atSec: number;
  downForSec: number;
  labDir?: string;
}

/** The typed `fault:` block (validated at the edge, lab-dir checked by plan-schema.ts) with its defaults. */
export function faultSetting(f: MigrationBlock['fault']): FaultSetting | undefined {
  if (!f) return undefined;
  const after = f.after ?? 'start';
  return {
    kind: f.kind,
    after,
    atSec: f.at ?? (after === 'postcopy' ? 0.3 : 1.5),
    downForSec: f['down-for'] ?? 15,
    ...(f.kind === 'link-down' && f['lab-dir'] !== undefined && { labDir: resolve(f['lab-dir']) }),
  };
}

/** The driver's Fault for a case migrating to `to`. */
export function faultFor(s: FaultSetting, to: string): Fault {
  const base = { afterMs: Math.round(s.atSec * 1000), after: s.after };
  if (s.kind === 'kill-destination') return { kind: 'kill-destination', ...base };
  const dir = s.labDir!;
  return {
    kind: 'link-down',
    ...base,
    downForMs: Math.round(s.downForSec * 1000),
    setLink: (state) => labLink(dir, to, state),
  };
}
