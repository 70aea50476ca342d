import { describe, expect, it } from 'vitest';
import type { PlanView } from '../../src/suite-api/types.ts';
import type { MigrationBlock } from '../../suites/live-migration/plan-schema.ts';
import { MiB, samplePagesPerGiB, strategyMetrics, strategySettings } from '../../src/migration/index.ts';
import { snakeCase } from '../../suites/live-migration/metric-names.ts';
import { migrationSettings, tuningOf } from '../../suites/live-migration/settings.ts';
import { planProblems } from '../support/plan-check.ts';

const plan = (migration: MigrationBlock): PlanView => ({
  name: 'p',
  require: {},
  matrix: {},
  settings: { migration },
  accel: 'auto',
  driver: 'qemu',
});
const hosts = [{ name: 'node-a' }, { name: 'node-b' }] as never;

describe('strategy settings', () => {
  it('auto-converge: the throttle parameters go to the source only, and only for auto-converge', () => {
    const t = {
      maxBandwidth: 16 * MiB,
      cpuThrottleInitial: 95,
      cpuThrottleIncrement: 2,
      maxCpuThrottle: 99,
      throttleTriggerThreshold: 10,
    };
    const ac = strategySettings('auto-converge', t);
    expect(ac.source).toEqual({
      capabilities: { events: true, 'auto-converge': true },
      parameters: {
        'max-bandwidth': 16 * MiB,
        'cpu-throttle-initial': 95,
        'cpu-throttle-increment': 2,
        'max-cpu-throttle': 99,
        'throttle-trigger-threshold': 10,
      },
    });
    expect(ac.destination).toEqual({ capabilities: { events: true }, parameters: {} });
    expect(strategySettings('precopy', t).source.parameters).toEqual({ 'max-bandwidth': 16 * MiB });
  });

  it('xbzrle: the capability on both sides, the cache size on the source; multifd: channels on both sides', () => {
    const x = strategySettings('xbzrle', { xbzrleCacheBytes: 32 * MiB });
    expect(x.source).toEqual({
      capabilities: { events: true, xbzrle: true },
      parameters: { 'xbzrle-cache-size': 32 * MiB },
    });
    expect(x.destination.capabilities).toEqual({ events: true, xbzrle: true });
    const m = strategySettings('multifd', { multifdChannels: 4 });
    expect(m.source.parameters['multifd-channels']).toBe(4);
    expect(m.destination).toEqual({
      capabilities: { events: true, multifd: true },
      parameters: { 'multifd-channels': 4 },
    });
    expect(strategySettings('multifd', {}).destination.parameters['multifd-channels']).toBe(2);
  });

  it('the plan keys become the tuning, in QEMU units', () => {
    const s = migrationSettings(
      plan({
        'max-bandwidth': 16,
        'downtime-limit': 50,
        'multifd-channels': 3,
        'xbzrle-cache-size': 32,
        'cpu-throttle-initial': 95,
        'cpu-throttle-increment': 5,
        'max-cpu-throttle': 99,
        'throttle-trigger-threshold': 100,
      }),
      hosts,
    );
    expect(tuningOf(s)).toEqual({
      maxBandwidth: 16 * MiB,
      downtimeLimitMs: 50,
      multifdChannels: 3,
      xbzrleCacheBytes: 32 * MiB,
      cpuThrottleInitial: 95,
      cpuThrottleIncrement: 5,
      maxCpuThrottle: 99,
      throttleTriggerThreshold: 100,
    });
    expect(tuningOf(migrationSettings(plan({}), hosts))).toEqual({
      maxBandwidth: undefined,
      downtimeLimitMs: undefined,
      multifdChannels: undefined,
      xbzrleCacheBytes: undefined,
      cpuThrottleInitial: undefined,
      cpuThrottleIncrement: undefined,
      maxCpuThrottle: undefined,
      throttleTriggerThreshold: undefined,
    });
  });

  it('out-of-range tuning is refused at validation, naming the key', async () => {
    const problems = await planProblems({
      name: 'p',
      suites: ['live-migration'],
      migration: { 'cpu-throttle-initial': 100, 'multifd-channels': 0, 'throttle-trigger-threshold': 100 },
    });
    expect(problems).toEqual([
      'plan.yaml: /migration/multifd-channels must be >= 1',
      'plan.yaml: /migration/cpu-throttle-initial must be <= 99',
    ]);
  });

  it('driver libvirt: a key virsh migrate (or Nova) has no place for is refused at validation, with why', async () => {
    const problems = await planProblems({
      name: 'p',
      suites: ['live-migration'],
      driver: 'libvirt',
      migration: { strategies: ['auto-converge'], 'max-cpu-throttle': 90, 'downtime-limit': 300 },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^plan\.yaml: \/migration\/downtime-limit has no equivalent on driver libvirt: Nova sets/),
      expect.stringMatching(
        /^plan\.yaml: \/migration\/max-cpu-throttle has no equivalent on driver libvirt: virsh migrate has no flag/,
      ),
    ]);
    const qemu = await planProblems({ name: 'p', suites: ['live-migration'], migration: { 'max-cpu-throttle': 90 } });
    expect(qemu).toEqual([]);
  });
});

describe('strategy metrics as case metrics', () => {
  it('camelCase hop metrics become snake_case metric names', () => {
    const m = strategyMetrics({
      status: 'completed',
      ram: { 'precopy-bytes': 100, 'multifd-bytes': 0, 'downtime-bytes': 7 },
      'xbzrle-cache': {
        'cache-size': 1,
        bytes: 900,
        pages: 12,
        'cache-miss': 3,
        'cache-miss-rate': 0.25,
        'encoding-rate': 2,
        overflow: 0,
      },
    } as never);
    expect(Object.keys(m).map(snakeCase).sort()).toEqual([
      'downtime_bytes',
      'multifd_bytes',
      'precopy_bytes',
      'xbzrle_bytes',
      'xbzrle_cache_miss',
      'xbzrle_cache_miss_rate',
      'xbzrle_overflow',
      'xbzrle_pages',
    ]);
    expect(snakeCase('postcopyRequests')).toBe('postcopy_requests');
  });
});

describe('dirty-rate sample size', () => {
  it('hashes about 8,192 pages of any guest, within the 128–16,384 per GiB QEMU takes', () => {
    expect(samplePagesPerGiB(256)).toBe(16_384); // 4,096 pages of a 256 MiB guest (QEMU's cap)
    expect(samplePagesPerGiB(4096)).toBe(2048); // 8,192 pages of 4 GiB
    expect(samplePagesPerGiB(64 * 1024)).toBe(128); // 8,192 pages of 64 GiB
    expect(samplePagesPerGiB(1024 * 1024)).toBe(128); // QEMU's floor
  });
});
