import { describe, expect, it } from 'vitest';
import { libvirtMigrateCommand, unmappableForLibvirt } from '../../src/migration/libvirt/flags.ts';
import { jobMetrics, jobSample, parseJobInfo } from '../../src/migration/libvirt/jobinfo.ts';
import { NovaMonitor, novaDisagreement } from '../../src/migration/libvirt/nova-driver.ts';
import { MiB, NOVA_DEFAULTS, novaOutcome } from '../../src/migration/index.ts';

// Captured from libvirt 9.0 (a running outgoing job) and 11.3 (a completed incoming one) in the lab.
const RUNNING = `Job type: 2

operation: 5
time_elapsed: 1759
data_total: 268967936
data_processed: 77474816
data_remaining: 106648576
memory_total: 268967936
memory_processed: 77474816
memory_remaining: 106648576
memory_bps: 118042214
memory_dirty_rate: 2048
memory_iteration: 2
memory_postcopy_requests: 0
memory_page_size: 4096
downtime: 300
setup_time: 1
`;
const COMPLETED = `Job type: 3

operation: 4
time_elapsed: 2366
time_elapsed_net: 2365
downtime: 197
downtime_net: 196
setup_time: 12
data_total: 268967936
data_processed: 116972600
data_remaining: 0
memory_total: 268967936
memory_processed: 116972600
memory_remaining: 0
memory_bps: 96992205
memory_iteration: 3
memory_postcopy_requests: 0
memory_page_size: 4096
`;

describe('virsh migrate as Nova calls it', () => {
  const base = { domain: 'hwqual-x', destinationAddress: '10.208.1.12', tuning: {}, nova: NOVA_DEFAULTS };
  it("Nova's flags, its tcp scheme and the inbound address; strategies and tuning as virsh flags", () => {
    const pre = libvirtMigrateCommand({ ...base, strategy: 'precopy' });
    expect(pre.args).toEqual([
      'migrate',
      '--live',
      '--p2p',
      '--persistent',
      '--undefinesource',
      'hwqual-x',
      'qemu+tcp://10.208.1.12/system',
      '--migrateuri',
      'tcp://10.208.1.12',
    ]);
    expect(pre.postcopy).toBe(false);
    const flags = (strategy: 'auto-converge' | 'xbzrle' | 'postcopy' | 'multifd', tuning = {}) =>
      libvirtMigrateCommand({ ...base, strategy, tuning, postcopyBandwidth: 64 * MiB }).strategyFlags;
    expect(flags('auto-converge', { cpuThrottleInitial: 30, cpuThrottleIncrement: 5, maxBandwidth: 32 * MiB })).toEqual(
      ['--bandwidth', '32', '--auto-converge', '--auto-converge-initial', '30', '--auto-converge-increment', '5'],
    );
    expect(flags('xbzrle', { xbzrleCacheBytes: 16 * MiB })).toEqual([
      '--compressed',
      '--comp-methods',
      'xbzrle',
      '--comp-xbzrle-cache',
      String(16 * MiB),
    ]);
    expect(flags('postcopy')).toEqual(['--postcopy', '--postcopy-bandwidth', '64']);
    expect(flags('multifd', { multifdChannels: 4 })).toEqual(['--parallel', '--parallel-connections', '4']);
    const permitted = libvirtMigrateCommand({
      ...base,
      strategy: 'precopy',
      nova: { ...NOVA_DEFAULTS, permitPostCopy: true },
    });
    expect(permitted.novaFlags).toContain('--postcopy');
    expect(permitted.postcopy).toBe(true);
    const ac = libvirtMigrateCommand({
      ...base,
      strategy: 'precopy',
      nova: { ...NOVA_DEFAULTS, permitAutoConverge: true },
    });
    expect(ac.novaFlags).toContain('--auto-converge');
  });

  it('what the libvirt path cannot do is named, with why (exit 2 at validate time)', () => {
    expect(unmappableForLibvirt({})).toEqual([]);
    expect(
      unmappableForLibvirt({
        'downtime-limit': 300,
        'max-cpu-throttle': 90,
        'throttle-trigger-threshold': 50,
        fault: { after: 'postcopy' },
      }).map((u) => u.key),
    ).toEqual(['downtime-limit', 'max-cpu-throttle', 'throttle-trigger-threshold', 'fault/after']);
    expect(unmappableForLibvirt({ 'downtime-limit': 300 })[0]!.why).toMatch(/Nova sets the downtime limit itself/);
  });
});

describe('virsh domjobinfo --rawstats', () => {
  it('a running job is a MigrationSample like a query-migrate answer', () => {
    const j = parseJobInfo(RUNNING);
    expect(j.type).toBe(2);
    expect(jobSample(j, 1759.4)).toEqual({
      t: 1759,
      status: 'active',
      transferred: 77474816,
      remaining: 106648576,
      total: 268967936,
      dirtyRate: 2048 * 4096,
      throughput: 118042214,
      syncCount: 2,
      expectedDowntimeMs: 300,
    });
    expect(jobSample(j, 0, true).status).toBe('postcopy-active');
    expect(jobSample(parseJobInfo('Job type: 2\n\noperation: 5\ntime_elapsed: 500\n'), 500).status).toBe('setup');
  });

  it("a completed job's figures: total, downtime, setup, bytes, passes", () => {
    expect(jobMetrics(parseJobInfo(COMPLETED))).toEqual({
      totalMs: 2366,
      setupMs: 12,
      downtimeMs: 197,
      transferredBytes: 116972600,
      passes: 3,
      postcopyRequests: 0,
    });
    expect(jobSample(parseJobInfo(COMPLETED), 2400).status).toBe('completed');
    expect(parseJobInfo('Job type: 0\n\n').type).toBe(0);
  });
});

describe("Nova's monitor, executed", () => {
  const s = { ...NOVA_DEFAULTS, completionTimeoutSecPerGiB: 5 };
  it('downtime steps on its schedule; abort at the completion timeout', () => {
    const m = new NovaMonitor({ ...s, timeoutAction: 'abort' }, 2, false);
    expect(m.timeoutSec).toBe(10);
    expect(m.tick(0, false)).toEqual([]); // Nova: `elapsed > mark`, nothing at 0
    expect(m.tick(0.5, false)).toEqual([{ kind: 'downtime', ms: 50 }]);
    expect(m.tick(1, false)).toEqual([]);
    expect(m.tick(10.5, false)).toEqual([{ kind: 'abort' }]);
    m.record({ kind: 'abort' }, 10.5, 'virsh domjobabort: ok');
    expect(m.finish(false, 11)).toMatchObject({
      outcome: 'aborted',
      atSec: 10.5,
      message: expect.stringMatching(/aborted \(domjobabort\) after the 10 s completion timeout; the instance stays/),
    });
  });

  it('force_complete: the task runs a round later — post-copy when permitted, else pause — once', () => {
    const pc = new NovaMonitor({ ...s, timeoutAction: 'force_complete' }, 2, true);
    pc.tick(0.5, false);
    expect(pc.tick(10.5, false)).toEqual([]);
    expect(pc.tick(11, false)).toEqual([{ kind: 'postcopy' }]);
    expect(pc.tick(11.5, true)).toEqual([]); // in post-copy: no timeout action any more
    const pause = new NovaMonitor({ ...s, timeoutAction: 'force_complete' }, 2, false);
    pause.tick(10.5, false);
    expect(pause.tick(11, false)).toEqual([{ kind: 'pause' }]);
    expect(pause.tick(11.5, false)).toEqual([]);
    pause.record({ kind: 'pause' }, 11, 'virsh suspend: ok');
    expect(pause.finish(true, 12.3)).toMatchObject({ outcome: 'paused', atSec: 11 });
  });

  it('prediction and execution compared: the same outcome at about the same time agree', () => {
    const executed = new NovaMonitor(s, 2, false).finish(true, 3.1);
    const predicted = novaOutcome([], 2, s);
    expect(predicted.outcome).toBe('aborted');
    expect(novaDisagreement(predicted, executed)).toMatch(/^predicted aborted .*; executed completed/);
    expect(novaDisagreement({ ...predicted, outcome: 'completed', atSec: 3 }, executed)).toBeUndefined();
    expect(novaDisagreement({ ...predicted, outcome: 'completed', atSec: 30 }, executed)).toMatch(/predicted at 30 s/);
  });
});
