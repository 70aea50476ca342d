import { describe, expect, it } from 'vitest';
import type { HostInfo } from '../../src/suite-api/types.ts';
import { computePoolBaseline } from '../../src/probe/pool-baseline.ts';
import suite from '../../suites/cpu-features/index.ts';
import { guestModels, parseCpuSpec } from '../../suites/cpu-features/guest-view-case.ts';
import { formatPoolTable } from '../../suites/cpu-features/pool-table.ts';
import { cpuSettings, poolMembers, vendorPools, type CpuPoolSpec } from '../../suites/cpu-features/settings.ts';
import { planViewOf } from '../support/plan-check.ts';

const host = (name: string, labels: Record<string, string> = {}): HostInfo => ({
  name,
  address: name,
  migrationAddress: name,
  labels,
  facts: {},
  replayed: false,
});
const view = planViewOf;

describe('cpu-features plan settings and case list', () => {
  it('a CPU spec splits into the model and the features it adds and removes', () => {
    expect(parseCpuSpec('max,-aes,+avx2,sse4_2=off')).toEqual({
      model: 'max',
      plus: ['avx2'],
      minus: ['aes', 'sse4.2'],
    });
    expect(parseCpuSpec('Skylake-Server')).toEqual({ model: 'Skylake-Server', plus: [], minus: [] });
  });

  it('reads require/matrix/settings; with no cpuPool the pools are formed by CPU vendor', () => {
    const s = cpuSettings(
      view({
        require: { cpuModels: ['Nehalem'], cpuFlags: ['aes'] },
        matrix: { cpuModels: ['Westmere', 'max'] },
        settings: { accel: 'tcg' },
      }),
    );
    expect(s).toEqual({
      accel: 'tcg',
      driver: 'qemu',
      requiredModels: ['Nehalem'],
      requiredFlags: ['aes'],
      requiredMachineTypes: [],
      guestModels: ['Westmere', 'max'],
      pools: 'by-vendor',
    });
    expect(guestModels(s)).toEqual(['Westmere', 'max', 'host']);
  });

  it('pools by labels or names, in run order', () => {
    const all = [host('a', { pool: 'x' }), host('b', { pool: 'y' }), host('c', { pool: 'x' })];
    const [byLabel, byName] = cpuSettings(
      view({ settings: { cpuPool: [{ labels: { pool: 'x' } }, { name: 'n', hosts: ['c', 'b'] }] } }),
    ).pools as CpuPoolSpec[];
    expect(byLabel.name).toBe('x');
    expect(poolMembers(byLabel, all).map((h) => h.name)).toEqual(['a', 'c']);
    expect(poolMembers(byName, all).map((h) => h.name)).toEqual(['b', 'c']);
  });

  it('with no cpuPool: one pool per CPU vendor (facts, else the vendor label), each saying how it was formed', () => {
    const withCpu = (name: string, vendor: string): HostInfo => ({ ...host(name), facts: { cpu: { vendor } } });
    const all = [
      withCpu('a', 'AuthenticAMD'),
      withCpu('i', 'GenuineIntel'),
      host('q', { vendor: 'amd' }),
      withCpu('h', 'HygonGenuine'),
      host('x'),
    ];
    expect(vendorPools(all)).toEqual([
      {
        name: 'amd',
        hosts: ['a', 'q'],
        formed: 'by CPU vendor (the plan names no cpuPool): vendor_id AuthenticAMD, label vendor=amd',
      },
      { name: 'intel', hosts: ['i'], formed: 'by CPU vendor (the plan names no cpuPool): vendor_id GenuineIntel' },
      { name: 'hygon', hosts: ['h'], formed: 'by CPU vendor (the plan names no cpuPool): vendor_id HygonGenuine' },
      {
        name: 'unknown-vendor',
        hosts: ['x'],
        formed: 'by CPU vendor (the plan names no cpuPool): no CPU facts and no vendor label',
      },
    ]);
    const plan = view({ hosts: all });
    const pools = (h: HostInfo) =>
      suite
        .cases(h, plan)
        .filter((c) => c.id === 'pool-baseline')
        .map((c) => c.params);
    expect(pools(all[0])).toEqual([{ pool: 'amd' }]);
    expect(pools(all[2])).toEqual([]);
  });

  it("each host gets the per-host cases; only a pool's first host gets its pool case", () => {
    const all = [host('a', { pool: 'x' }), host('b', { pool: 'x' })];
    const plan = view({
      matrix: { cpuModels: ['Nehalem'] },
      settings: { cpuPool: { labels: { pool: 'x' } } },
      hosts: all,
    });
    const ids = (h: HostInfo) => suite.cases(h, plan).map((c) => `${c.id}${c.params ? JSON.stringify(c.params) : ''}`);
    expect(ids(all[0])).toEqual([
      'generation',
      'qemu-models',
      'guest-view{"cpuModel":"Nehalem"}',
      'guest-view{"cpuModel":"max"}',
      'guest-view{"cpuModel":"host"}',
      'pool-baseline{"pool":"x"}',
    ]);
    expect(ids(all[1])).not.toContain('pool-baseline{"pool":"x"}');
  });

  it('the pool table says what it does not know', () => {
    const b = computePoolBaseline(
      [
        {
          host: 'h1',
          definitions: [{ name: 'Nehalem', usable: true, unavailable: [] }],
          cpu: { vendor: 'GenuineIntel' },
        },
      ],
      () => undefined,
      { Nehalem: { vendor: 'intel', released: 2009 } },
    );
    const text = formatPoolTable('p', b, 'by CPU vendor');
    expect(text).toMatch(/^CPU pool p: h1 \(formed by CPU vendor\)\n/);
    expect(text).toContain('baseline CPU model: none — no static expansion describes the intel models');
    expect(text).toContain('machine type: machine types: not recorded (h1 did not record query-machines)');
    expect(text).toMatch(/host +qemu +usable +best model +newest q35 +newest i440fx +loses under the baseline\n/);
    expect(text).toMatch(/h1 +not recorded +1 +- +not recorded +not recorded +-\n/);
    expect(text).toContain('usable everywhere but not ranked (no expansion): Nehalem');
  });
});
