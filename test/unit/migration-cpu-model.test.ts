import { describe, expect, it } from 'vitest';
import { computePoolBaseline, type PoolHost } from '../../src/probe/pool-baseline.ts';
import type { CpuModelDef } from '../../src/probe/qmp-cpu.ts';
import { chooseCpuModel, FALLBACK_CPU_MODEL, migrationPool } from '../../suites/live-migration/cpu-model.ts';

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
