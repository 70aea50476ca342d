import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { labLink, type Fault } from '../../src/suite-api/migration.ts';

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

function fail(what: string): never {
  throw new Error(`live-migration: settings.migration.fault${what.startsWith('must') ? ' ' : '.'}${what}`);
}

/** Checked once with the other settings; a link-down needs a lab-in-a-box (its state file in lab-dir). */
export function faultSetting(v: unknown): FaultSetting | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    fail('must be an object { kind, after, at, down-for, lab-dir }');
  const f = v as Record<string, unknown>;
  const known = new Set(['kind', 'after', 'at', 'down-for', 'lab-dir']);
  const extra = Object.keys(f).filter((k) => !known.has(k));
  if (extra.length) fail(`${extra[0]} is not a fault setting (kind, after, at, down-for, lab-dir)`);
  if (f.kind !== 'kill-destination' && f.kind !== 'link-down') fail('kind must be kill-destination or link-down');
  const after = f.after ?? 'start';
  if (after !== 'start' && after !== 'postcopy') fail('after must be start or postcopy');
  const secs = (x: unknown, what: string, dflt: number) => {
    if (x === undefined) return dflt;
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) fail(`${what} must be a number of seconds ≥ 0`);
    return x;
  };
  const out: FaultSetting = {
    kind: f.kind,
    after,
    atSec: secs(f.at, 'at', after === 'postcopy' ? 0.3 : 1.5),
    downForSec: secs(f['down-for'], 'down-for', 15),
  };
  if (f.kind === 'link-down') {
    if (typeof f['lab-dir'] !== 'string')
      fail(
        'lab-dir must name the lab-in-a-box folder (hwqual lab up --dir …): link-down only runs on a lab hwqual made',
      );
    out.labDir = resolve(f['lab-dir']);
    if (!existsSync(join(out.labDir, 'state.json')))
      fail(`lab-dir: ${out.labDir} holds no lab-in-a-box (no state.json)`);
  }
  return out;
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
