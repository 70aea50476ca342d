import { describe, expect, it } from 'vitest';
import { computePoolBaseline, type PoolHost } from '../../src/probe/pool-baseline.ts';
import type { CpuModelDef } from '../../src/probe/qmp-cpu.ts';
import type { HostInfo } from '../../src/suite-api/index.ts';
import {
  chooseCpuModel,
  chooseMachine,
  FALLBACK_CPU_MODEL,
  migrationPool,
} from '../../suites/live-migration/cpu-model.ts';
import { refusalPairs } from '../../suites/live-migration/refusal-case.ts';

// Definitions and expansions typed by hand in the shape parseCpuDefinitions/expansionFeatures give (a TCG-like host
// and a host that cannot run Westmere), to drive the real computePoolBaseline.
const def = (name: string, unavailable: string[] = []): CpuModelDef => ({
  name,
  usable: unavailable.length === 0,
  unavailable,
  migrationSafe: true,
});
const FEATURES: Record<string, string[]> = {
  qemu64: ['fpu', 'sse', 'sse2', 'lm'],
  Penryn: ['fpu', 'sse', 'sse2', 'lm', 'ssse3', 'sse4.1'],
  Nehalem: ['fpu', 'sse', 'sse2', 'lm', 'ssse3', 'sse4.1', 'sse4.2', 'popcnt'],
  Westmere: ['fpu', 'sse', 'sse2', 'lm', 'ssse3', 'sse4.1', 'sse4.2', 'popcnt', 'aes'],
};
const host = (name: string, defs: CpuModelDef[]): PoolHost => ({
  host: name,
  qemuVersion: '7.2.0',
  definitions: defs,
  machines: ['pc-q35-7.2'],
  cpu: { vendor: 'GenuineIntel' },
});
const lookup = (_h: string, m: string) => (FEATURES[m] ? { features: FEATURES[m], from: 'hand-typed' } : undefined);
const LINES = {
  qemu64: { vendor: 'qemu', released: 2003 },
  Penryn: { vendor: 'intel', released: 2007 },
  Nehalem: { vendor: 'intel', released: 2008 },
  Westmere: { vendor: 'intel', released: 2010 },
} as never;

describe('migration CPU model', () => {
  const a = host('node-a', [def('qemu64'), def('Penryn'), def('Nehalem'), def('Westmere'), def('max')]);
  const b = host('node-b', [def('qemu64'), def('Penryn'), def('Nehalem'), def('Westmere', ['aes'])]);

  it('the plan names one: that model, whatever the pool', () => {
    expect(chooseCpuModel('Cascadelake-Server-v4', { hosts: ['node-a', 'node-b'], error: 'unreachable' })).toEqual({
      model: 'Cascadelake-Server-v4',
      source: 'plan',
    });
  });

  it('no model in the plan: the pool baseline, named with its hosts and accelerator', () => {
    const baseline = computePoolBaseline([a, b], lookup, LINES);
    expect(baseline.model).toBe('Nehalem'); // Westmere lacks aes on node-b
    expect(chooseCpuModel(undefined, { hosts: ['node-a', 'node-b'], accel: 'tcg', baseline })).toEqual({
      model: 'Nehalem',
      source: 'pool baseline of node-a,node-b',
      pool: ['node-a', 'node-b'],
      accel: 'tcg',
      expansionFrom: 'hand-typed',
    });
    // A pool of node-a alone would get its richer model.
    expect(
      chooseCpuModel(undefined, { hosts: ['node-a'], baseline: computePoolBaseline([a], lookup, LINES) }).model,
    ).toBe('Westmere');
  });

  it('no baseline: the documented fallback, with the reason', () => {
    const none = computePoolBaseline(
      [a, host('node-c', [def('qemu64', ['lm']), def('Penryn', ['ssse3'])])],
      lookup,
      LINES,
    );
    const c = chooseCpuModel(undefined, { hosts: ['node-a', 'node-c'], accel: 'kvm', baseline: none });
    expect(c).toMatchObject({ model: FALLBACK_CPU_MODEL, source: 'fallback' });
    expect(c.reason).toBe('no pool baseline of node-a,node-c: no named CPU model is usable on every host of the pool');
    // Without the CPU vendor there is no candidate either: the reason says so.
    const blind = computePoolBaseline([{ ...a, cpu: undefined }], lookup, LINES);
    expect(chooseCpuModel(undefined, { hosts: ['node-a'], baseline: blind }).reason).toBe(
      'no pool baseline of node-a: the CPU vendor of node-a is not known',
    );
    const err = chooseCpuModel(undefined, {
      hosts: ['node-a', 'node-b'],
      error: 'host node-b has no transport in this run',
    });
    expect(err).toMatchObject({
      model: 'qemu64',
      source: 'fallback',
      reason: 'no pool baseline of node-a,node-b: host node-b has no transport in this run',
    });
  });

  it('the pool is every host the pairs name, in lab order', () => {
    expect(
      migrationPool(
        [
          ['node-c', 'node-a'],
          ['node-a', 'node-c'],
        ],
        ['node-a', 'node-b', 'node-c'],
      ),
    ).toEqual(['node-a', 'node-c']);
    expect(migrationPool([['x', 'node-a']], ['node-a'])).toEqual(['node-a', 'x']);
  });
});

describe('migration machine type', () => {
  const defs = [def('qemu64')];
  const older = { ...host('node-a', defs), qemuVersion: '7.2.22', machines: ['pc-q35-7.1', 'pc-q35-7.2', 'q35'] };
  const newer = {
    ...host('node-b', defs),
    qemuVersion: '10.0.13',
    machines: ['pc-q35-7.2', 'pc-q35-9.2', 'pc-q35-10.0', 'q35'],
  };

  it("no machine in the plan: the pool's newest common q35, with every host's newest in the reason", () => {
    const baseline = computePoolBaseline([older, newer], lookup, LINES);
    expect(chooseMachine(undefined, { hosts: ['node-a', 'node-b'], baseline })).toEqual({
      machine: 'pc-q35-7.2',
      source: 'pool baseline of node-a,node-b',
      reason:
        "the newest q35 machine type every host's QEMU offers: node-a (QEMU 7.2.22: newest pc-q35-7.2), " +
        'node-b (QEMU 10.0.13: newest pc-q35-10.0)',
    });
    expect(chooseMachine('pc-i440fx-7.2', { hosts: ['node-a'], error: 'unreachable' })).toEqual({
      machine: 'pc-i440fx-7.2',
      source: 'plan',
    });
  });

  it('no common machine type: none, naming the hosts; not asked: the q35 fallback with the reason', () => {
    const apart = { ...newer, machines: ['pc-q35-9.2', 'pc-q35-10.0', 'q35'] };
    const baseline = computePoolBaseline([older, apart], lookup, LINES);
    expect(chooseMachine(undefined, { hosts: ['node-a', 'node-b'], baseline })).toEqual({
      none:
        'no q35 machine type is offered by every host of the pool: node-a (QEMU 7.2.22: newest pc-q35-7.2), ' +
        'node-b (QEMU 10.0.13: newest pc-q35-10.0)',
    });
    const unrecorded = computePoolBaseline([older, { ...newer, machines: undefined }], lookup, LINES);
    const c = chooseMachine(undefined, { hosts: ['node-a', 'node-b'], baseline: unrecorded });
    expect(c).toMatchObject({ machine: 'q35', source: 'fallback' });
    expect('reason' in c && c.reason).toMatch(/node-b did not record query-machines/);
    expect(chooseMachine(undefined, { hosts: ['node-a'], error: 'host node-a has no transport' })).toMatchObject({
      machine: 'q35',
      reason: expect.stringContaining('host node-a has no transport'),
    });
  });

  it('machine-refusal is listed once per pair whose QEMU major.minor differ, from the newer to the older', () => {
    const h = (name: string, version?: string) => ({ name, facts: { qemu: { version } } }) as unknown as HostInfo;
    const hosts = [h('node-a', '7.2.22'), h('node-b', '10.0.13'), h('node-c', '7.2.0'), h('node-d')];
    const all: Array<[string, string]> = [
      ['node-a', 'node-b'],
      ['node-b', 'node-a'],
      ['node-a', 'node-c'],
      ['node-c', 'node-b'],
      ['node-d', 'node-b'],
    ];
    expect(refusalPairs(all, hosts)).toEqual([
      ['node-b', 'node-a'],
      ['node-b', 'node-c'],
    ]);
  });
});
