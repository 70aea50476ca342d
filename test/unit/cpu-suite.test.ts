import { describe, expect, it } from 'vitest';
import type { HostInfo } from '../../src/suite-api/types.ts';
import { computePoolBaseline } from '../../src/probe/pool-baseline.ts';
import suite from '../../suites/cpu-features/index.ts';
import { guestModels, parseCpuSpec } from '../../suites/cpu-features/guest-view-case.ts';
import { formatPoolTable } from '../../suites/cpu-features/pool-table.ts';
import { cpuSettings, poolMembers } from '../../suites/cpu-features/settings.ts';
import { planViewOf } from '../support/plan-check.ts';

const host = (name: string, labels: Record<string, string> = {}): HostInfo => ({
  name,
  address: name,
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

  it('reads require/matrix/settings; the default pool is every host of the run', () => {
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
      guestModels: ['Westmere', 'max'],
      pools: [{ name: 'all' }],
    });
    expect(guestModels(s)).toEqual(['Westmere', 'max', 'host']);
  });

  it('pools by labels or names, in run order', () => {
    const all = [host('a', { pool: 'x' }), host('b', { pool: 'y' }), host('c', { pool: 'x' })];
    const [byLabel, byName] = cpuSettings(
      view({ settings: { cpuPool: [{ labels: { pool: 'x' } }, { name: 'n', hosts: ['c', 'b'] }] } }),
    ).pools;
    expect(byLabel.name).toBe('x');
    expect(poolMembers(byLabel, all).map((h) => h.name)).toEqual(['a', 'c']);
    expect(poolMembers(byName, all).map((h) => h.name)).toEqual(['b', 'c']);
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
      [{ host: 'h1', definitions: [{ name: 'Nehalem', usable: true, unavailable: [] }] }],
      () => undefined,
      {},
    );
    const text = formatPoolTable('p', b);
    expect(text).toMatch(/^CPU pool p: h1\n/);
    expect(text).toContain('machine type: machine types: not recorded (h1 did not record query-machines)');
    expect(text).toContain('usable everywhere but not ranked (no expansion): Nehalem');
  });
});
