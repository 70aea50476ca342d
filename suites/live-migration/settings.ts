import type { HostInfo, PlanView } from '../../src/suite-api/types.ts';
import type { AccelChoice } from '../../src/vm/accel.ts';
import { NOVA_DEFAULTS, type NovaSettings } from '../../src/vm/migration/nova.ts';
import { STRATEGIES, type Strategy } from '../../src/vm/migration/strategy.ts';

/**
 * `settings.migration` of the plan (validated here once; the cases trust it):
 *   pairs: [[node-a, node-b], [node-b, node-a]] | all-directions     (default all-directions)
 *   strategies: [precopy, auto-converge, xbzrle, postcopy, multifd]  (default [precopy])
 *   ping-pong: N   guest: { memoryMiB, wssMiB, dirtyMiBps }   cpuModel   max-bandwidth (MiB/s)   downtime-limit (ms)
 *   postcopy-after-pass   deadline (s)   stall (s)   nova: { downtimeMs, steps, … }
 */
export interface MigrationSettings {
  accel: AccelChoice;
  pairs: Array<[string, string]>;
  strategies: Strategy[];
  hops: number;
  guest: { memoryMiB: number; wssMiB: number; dirtyMiBps: number };
  cpuModel?: string;
  machine?: string;
  maxBandwidthMiBps?: number;
  downtimeLimitMs?: number;
  postcopyAfterPass?: number;
  deadlineSec: number;
  stallSec: number;
  nova: NovaSettings;
}

function fail(what: string): never {
  throw new Error(`live-migration: settings.migration.${what}`);
}

const num = (v: unknown, what: string, min = 0): number | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) fail(`${what} must be a number ≥ ${min}`);
  return v;
};

export function migrationSettings(plan: PlanView, hosts: readonly HostInfo[]): MigrationSettings {
  const m = (plan.settings.migration ?? {}) as Record<string, unknown>;
  const names = hosts.map((h) => h.name);
  let pairs: Array<[string, string]>;
  if (m.pairs === undefined || m.pairs === 'all-directions') {
    pairs = names.flatMap((a) => names.filter((b) => b !== a).map((b) => [a, b] as [string, string]));
  } else if (Array.isArray(m.pairs) && m.pairs.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'string') && p[0] !== p[1])) {
    pairs = m.pairs as Array<[string, string]>;
  } else fail('pairs must be all-directions or a list of [from, to] host pairs');
  const strategies = (m.strategies ?? ['precopy']) as Strategy[];
  if (!Array.isArray(strategies) || strategies.some((s) => !STRATEGIES.includes(s))) fail(`strategies must be a list of ${STRATEGIES.join(', ')}`);
  const g = (m.guest ?? {}) as Record<string, unknown>;
  return {
    accel: (plan.settings.accel as AccelChoice | undefined) ?? 'auto',
    pairs, strategies,
    hops: num(m['ping-pong'], 'ping-pong', 1) ?? 1,
    guest: { memoryMiB: num(g.memoryMiB, 'guest.memoryMiB', 64) ?? 256, wssMiB: num(g.wssMiB, 'guest.wssMiB', 1) ?? 32, dirtyMiBps: num(g.dirtyMiBps, 'guest.dirtyMiBps') ?? 8 },
    cpuModel: typeof m.cpuModel === 'string' ? m.cpuModel : undefined,
    machine: typeof m.machine === 'string' ? m.machine : undefined,
    maxBandwidthMiBps: num(m['max-bandwidth'], 'max-bandwidth', 1),
    downtimeLimitMs: num(m['downtime-limit'], 'downtime-limit', 1),
    postcopyAfterPass: num(m['postcopy-after-pass'], 'postcopy-after-pass', 1),
    deadlineSec: num(m.deadline, 'deadline', 1) ?? 60,
    stallSec: num(m.stall, 'stall', 1) ?? 5,
    nova: { ...NOVA_DEFAULTS, ...((m.nova ?? {}) as Partial<NovaSettings>) },
  };
}
