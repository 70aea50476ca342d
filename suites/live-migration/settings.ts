import type { HostInfo, PlanView, VmDriver } from '../../src/suite-api/index.ts';
import type { AccelChoice } from '../../src/suite-api/vm.ts';
import { MiB, NOVA_DEFAULTS, type NovaSettings, type Strategy, type Tuning } from '../../src/suite-api/migration.ts';
import { faultSetting, type FaultSetting } from './fault-settings.ts';
import type { Gates } from './gates.ts';

/**
 * `settings.migration` of the plan (schema and types in plan-schema.ts, validated at the edge; defaults here):
 *   pairs: [[node-a, node-b], [node-b, node-a]] | all-directions     (default all-directions)
 *   strategies: [precopy, auto-converge, xbzrle, postcopy, multifd]  (default [precopy])
 *   ping-pong: N   repeat: N (runs per case)   gates / gatesByStrategy (gates.ts)
 *   guest: { memoryMiB, wssMiB, dirtyMiBps }   cpuModel   max-bandwidth (MiB/s)   downtime-limit (ms)
 *   postcopy-after-pass   deadline (s)   stall (s)   nova: { downtimeMs, steps, … }
 *   multifd-channels   xbzrle-cache-size (MiB)
 *   cpu-throttle-initial, cpu-throttle-increment, max-cpu-throttle, throttle-trigger-threshold (%, auto-converge)
 *   cleanup-wait (s, default 60: how long a case waits for a silent host before its cleanup is left pending)
 *   recovery: { link-wait (s, default 60), resume-timeout (s, default 120) }   max-postcopy-bandwidth (MiB/s)
 *   fault: { kind, after, at, down-for, lab-dir }  (fault-settings.ts)
 *   sharedStorage: DIR   disk: { luks, sizeMiB, wrongKey, guestLuks }   (a data disk on DIR: data-disk.ts)
 * cpuModel / machine absent: the pool baseline of the hosts the pairs name (cpu-model.ts, src/migration/pool-guest.ts).
 */
export interface MigrationSettings {
  accel: AccelChoice;
  /** qemu: hwqual drives QEMU over QMP; libvirt: virsh migrate with Nova's flags, Nova's schedule executed. */
  driver: VmDriver;
  pairs: Array<[string, string]>;
  strategies: Strategy[];
  hops: number;
  /** Runs per case, each with a fresh guest (`repeat`, default 1). */
  repeat: number;
  gates?: Gates;
  gatesByStrategy?: Partial<Record<Strategy, Gates>>;
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
  sharedStorage?: string;
  /** The data disk on sharedStorage and its variants (absent: the workload guest has no disk). */
  disk?: { luks: boolean; sizeMiB: number; wrongKey: boolean; guestLuks: boolean };
}

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

/** The typed `migration:` block (validated at the edge against plan-schema.ts) with its defaults applied. */
export function migrationSettings(plan: PlanView, hosts: readonly HostInfo[]): MigrationSettings {
  const m = plan.settings.migration ?? {};
  const names = hosts.map((h) => h.name);
  const pairs =
    m.pairs === undefined || m.pairs === 'all-directions'
      ? names.flatMap((a) => names.filter((b) => b !== a).map((b) => [a, b] as [string, string]))
      : m.pairs;
  const g = m.guest ?? {};
  return {
    accel: plan.accel,
    driver: plan.driver,
    pairs,
    strategies: m.strategies ?? ['precopy'],
    hops: m['ping-pong'] ?? 1,
    repeat: m.repeat ?? 1,
    gates: m.gates,
    gatesByStrategy: m.gatesByStrategy,
    guest: { memoryMiB: g.memoryMiB ?? 256, wssMiB: g.wssMiB ?? 32, dirtyMiBps: g.dirtyMiBps ?? 8 },
    cpuModel: m.cpuModel,
    machine: m.machine,
    maxBandwidthMiBps: m['max-bandwidth'],
    downtimeLimitMs: m['downtime-limit'],
    postcopyAfterPass: m['postcopy-after-pass'],
    deadlineSec: m.deadline ?? 60,
    stallSec: m.stall ?? 5,
    nova: { ...NOVA_DEFAULTS, ...m.nova },
    multifdChannels: m['multifd-channels'],
    xbzrleCacheMiB: m['xbzrle-cache-size'],
    throttle: {
      initial: m['cpu-throttle-initial'],
      increment: m['cpu-throttle-increment'],
      max: m['max-cpu-throttle'],
      threshold: m['throttle-trigger-threshold'],
    },
    cleanupWaitSec: m['cleanup-wait'] ?? 60,
    recovery: {
      linkWaitSec: m.recovery?.['link-wait'] ?? 60,
      resumeTimeoutSec: m.recovery?.['resume-timeout'] ?? 120,
    },
    postcopyBandwidthMiBps: m['max-postcopy-bandwidth'],
    fault: faultSetting(m.fault),
    sharedStorage: m.sharedStorage,
    disk: m.disk && {
      luks: m.disk.luks === true,
      sizeMiB: m.disk.sizeMiB ?? 64,
      wrongKey: m.disk.wrongKey === true,
      guestLuks: m.disk.guestLuks === true,
    },
  };
}
