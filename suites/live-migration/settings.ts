import type { HostInfo, PlanView } from '../../src/suite-api/index.ts';
import type { AccelChoice } from '../../src/suite-api/vm.ts';
import {
  MiB,
  NOVA_DEFAULTS,
  STRATEGIES,
  type NovaSettings,
  type Strategy,
  type Tuning,
} from '../../src/suite-api/migration.ts';
import { faultSetting, type FaultSetting } from './fault-settings.ts';

/**
 * `settings.migration` of the plan (validated here once; the cases trust it):
 *   pairs: [[node-a, node-b], [node-b, node-a]] | all-directions     (default all-directions)
 *   strategies: [precopy, auto-converge, xbzrle, postcopy, multifd]  (default [precopy])
 *   ping-pong: N   guest: { memoryMiB, wssMiB, dirtyMiBps }   cpuModel   max-bandwidth (MiB/s)   downtime-limit (ms)
 *   postcopy-after-pass   deadline (s)   stall (s)   nova: { downtimeMs, steps, … }
 *   multifd-channels   xbzrle-cache-size (MiB)
 *   cpu-throttle-initial, cpu-throttle-increment, max-cpu-throttle, throttle-trigger-threshold (%, auto-converge)
 *   cleanup-wait (s, default 60: how long a case waits for a silent host before its cleanup is left pending)
 *   recovery: { link-wait (s, default 60), resume-timeout (s, default 120) }   max-postcopy-bandwidth (MiB/s)
 *   fault: { kind, after, at, down-for, lab-dir }  (fault-settings.ts)
 * cpuModel absent: the pool baseline of the hosts the pairs name (cpu-model.ts).
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
  multifdChannels?: number;
  xbzrleCacheMiB?: number;
  throttle: { initial?: number; increment?: number; max?: number; threshold?: number };
  cleanupWaitSec: number;
  recovery: { linkWaitSec: number; resumeTimeoutSec: number };
  postcopyBandwidthMiBps?: number;
  fault?: FaultSetting;
}

function fail(what: string): never {
  throw new Error(`live-migration: settings.migration.${what}`);
}

const num = (v: unknown, what: string, min = 0): number | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) fail(`${what} must be a number ≥ ${min}`);
  return v;
};

/** A percentage QEMU accepts for the throttle parameters: 1–99 (the trigger threshold allows 100). */
const pct = (v: unknown, what: string): number | undefined => {
  const n = num(v, what, 1);
  if (n !== undefined && n > (what === 'throttle-trigger-threshold' ? 100 : 99))
    fail(`${what} must be a percentage QEMU accepts (1–${what === 'throttle-trigger-threshold' ? 100 : 99})`);
  return n;
};

/** The Tuning of strategy.ts that the settings ask for (bytes for QEMU). */
export function tuningOf(s: MigrationSettings): Tuning {
  return {
    maxBandwidth: s.maxBandwidthMiBps && s.maxBandwidthMiBps * MiB,
    downtimeLimitMs: s.downtimeLimitMs,
    multifdChannels: s.multifdChannels,
    xbzrleCacheBytes: s.xbzrleCacheMiB && s.xbzrleCacheMiB * MiB,
    cpuThrottleInitial: s.throttle.initial,
    cpuThrottleIncrement: s.throttle.increment,
    maxCpuThrottle: s.throttle.max,
    throttleTriggerThreshold: s.throttle.threshold,
  };
}

export function migrationSettings(plan: PlanView, hosts: readonly HostInfo[]): MigrationSettings {
  const m = (plan.settings.migration ?? {}) as Record<string, unknown>;
  const names = hosts.map((h) => h.name);
  let pairs: Array<[string, string]>;
  if (m.pairs === undefined || m.pairs === 'all-directions') {
    pairs = names.flatMap((a) => names.filter((b) => b !== a).map((b) => [a, b] as [string, string]));
  } else if (
    Array.isArray(m.pairs) &&
    m.pairs.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'string') && p[0] !== p[1])
  ) {
    pairs = m.pairs as Array<[string, string]>;
  } else fail('pairs must be all-directions or a list of [from, to] host pairs');
  const strategies = (m.strategies ?? ['precopy']) as Strategy[];
  if (!Array.isArray(strategies) || strategies.some((s) => !STRATEGIES.includes(s)))
    fail(`strategies must be a list of ${STRATEGIES.join(', ')}`);
  const g = (m.guest ?? {}) as Record<string, unknown>;
  const r = (m.recovery ?? {}) as Record<string, unknown>;
  return {
    accel: (plan.settings.accel as AccelChoice | undefined) ?? 'auto',
    pairs,
    strategies,
    hops: num(m['ping-pong'], 'ping-pong', 1) ?? 1,
    guest: {
      memoryMiB: num(g.memoryMiB, 'guest.memoryMiB', 64) ?? 256,
      wssMiB: num(g.wssMiB, 'guest.wssMiB', 1) ?? 32,
      dirtyMiBps: num(g.dirtyMiBps, 'guest.dirtyMiBps') ?? 8,
    },
    cpuModel: typeof m.cpuModel === 'string' ? m.cpuModel : undefined,
    machine: typeof m.machine === 'string' ? m.machine : undefined,
    maxBandwidthMiBps: num(m['max-bandwidth'], 'max-bandwidth', 1),
    downtimeLimitMs: num(m['downtime-limit'], 'downtime-limit', 1),
    postcopyAfterPass: num(m['postcopy-after-pass'], 'postcopy-after-pass', 1),
    deadlineSec: num(m.deadline, 'deadline', 1) ?? 60,
    stallSec: num(m.stall, 'stall', 1) ?? 5,
    nova: { ...NOVA_DEFAULTS, ...((m.nova ?? {}) as Partial<NovaSettings>) },
    multifdChannels: num(m['multifd-channels'], 'multifd-channels', 1),
    xbzrleCacheMiB: num(m['xbzrle-cache-size'], 'xbzrle-cache-size', 1),
    throttle: {
      initial: pct(m['cpu-throttle-initial'], 'cpu-throttle-initial'),
      increment: pct(m['cpu-throttle-increment'], 'cpu-throttle-increment'),
      max: pct(m['max-cpu-throttle'], 'max-cpu-throttle'),
      threshold: pct(m['throttle-trigger-threshold'], 'throttle-trigger-threshold'),
    },
    cleanupWaitSec: num(m['cleanup-wait'], 'cleanup-wait') ?? 60,
    recovery: {
      linkWaitSec: num(r['link-wait'], 'recovery.link-wait', 1) ?? 60,
      resumeTimeoutSec: num(r['resume-timeout'], 'recovery.resume-timeout', 1) ?? 120,
    },
    postcopyBandwidthMiBps: num(m['max-postcopy-bandwidth'], 'max-postcopy-bandwidth', 1),
    fault: faultSetting(m.fault),
  };
}
