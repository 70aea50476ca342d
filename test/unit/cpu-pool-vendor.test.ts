// The pool baseline on the shipped real QMP profiles (fixtures/hosts/qmp-*: what QEMU answered under KVM on real
// hosts), with the static model expansions QEMU 7.2.22 gives (test/fixtures/qemu-expansions, recorded here).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCpuCatalog } from '../../src/probe/cpu-catalog-file.ts';
import { computePoolBaseline, type PoolHost } from '../../src/probe/pool-baseline.ts';
import { isStrictSubset, rankModels } from '../../src/probe/pool-rank.ts';
import {
  deprecatedMachineTypes,
  expansionFeatures,
  hostCpuFromExpansion,
  machineTypes,
  parseCpuDefinitions,
  usableNamedModels,
  type CpuModelDef,
} from '../../src/probe/qmp-cpu.ts';
import { loadProfile } from '../../src/transport/profile.ts';
import { commandOf, parseQmpLog, type QmpExchange } from '../../src/transport/replay-qmp-log.ts';
import type { QmpCpuDefinition, QmpMachineInfo } from '../../src/model/qmp.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

const lines = loadCpuCatalog().qemuModels;
const STATIC = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'test/fixtures/qemu-expansions/qemu-7.2.22-static.json'), 'utf8'),
) as { expansions: Record<string, string[]> };
const expansion = (_host: string, model: string) =>
  STATIC.expansions[model] ? { features: STATIC.expansions[model], from: 'QEMU 7.2.22' } : undefined;

/** A pool member from a shipped profile's recorded KVM session (the first session of its QMP file). */
async function member(profile: string, name = profile): Promise<PoolHost> {
  const p = await loadProfile(join(PROJECT_ROOT, 'fixtures/hosts', profile));
  const file = p.meta.qmp!.find((q) => q.socket === '*')!.file;
  const x = parseQmpLog(readFileSync(join(p.dir, file), 'utf8'))[0].exchanges;
  const ask = (cmd: string, pick = (_: QmpExchange) => true) =>
    x.find((e) => commandOf(e.request) === cmd && pick(e))?.reply.return;
  const host = ask(
    'query-cpu-model-expansion',
    (e) => JSON.stringify((e.request.arguments as Record<string, unknown>).model) === '{"name":"host"}',
  ) as { model: { props: Record<string, unknown> } };
  const v = ask('query-version') as { qemu: { major: number; minor: number; micro: number } } | undefined;
  const machines = ask('query-machines') as QmpMachineInfo[] | undefined;
  return {
    host: name,
    ...(v && { qemuVersion: `${v.qemu.major}.${v.qemu.minor}.${v.qemu.micro}` }),
    definitions: parseCpuDefinitions(ask('query-cpu-definitions') as QmpCpuDefinition[]),
    ...(machines && { machines: machineTypes(machines), deprecatedMachines: deprecatedMachineTypes(machines) }),
    cpu: hostCpuFromExpansion(host.model.props),
    accelFeatures: { features: expansionFeatures(host.model.props), from: `${profile} host model` },
  };
}

/** The member with `models` made unusable, as QEMU reports it: unavailable-features edited in. */
const block = (h: PoolHost, models: RegExp, features = ['xsaves']): PoolHost => ({
  ...h,
  definitions: h.definitions.map(
    (d): CpuModelDef => (models.test(d.name) ? { ...d, usable: false, unavailable: features } : d),
  ),
});

const usableEverywhere = (hosts: PoolHost[]) =>
  usableNamedModels(hosts[0].definitions).filter((m) =>
    hosts.every((h) => usableNamedModels(h.definitions).includes(m)),
  );

describe('pool baseline: the pool vendor, never a strict subset, extras checked on every member', () => {
  it(
    'Zen 2 under QEMU 7.2 and an older QEMU with the Zen 2 models ' + 'blocked on one: an AMD EPYC model, never Dhyana',
    async () => {
      const old = await member('qmp-kvm-ryzen-9-3900x-12-core', 'zen2-old');
      const neu = block(await member('qmp-ryzen-3900x-qemu-7.2', 'zen2-72'), /^EPYC-Rome/);
      const pool = [old, neu];
      // Worked out by hand: Dhyana-v1 (Hygon) is usable on both, as are Intel models up to SandyBridge; the AMD ones
      // are EPYC, EPYC-IBPB, EPYC-v1..v3, Opteron_G1..G3 and athlon.
      expect(usableEverywhere(pool)).toEqual(expect.arrayContaining(['Dhyana-v1', 'EPYC-v2', 'SandyBridge']));
      const b = computePoolBaseline(pool, expansion, lines);
      expect(b.vendor).toBe('amd');
      // By the rule: EPYC-v3 (EPYC-v2, EPYC-IBPB, EPYC-v1 and EPYC are strict subsets of it).
      expect(b.model).toBe('EPYC-v3');
      expect(b.dominated).toEqual(expect.arrayContaining(['EPYC', 'EPYC-IBPB', 'EPYC-v1', 'EPYC-v2']));
      expect(lines.EPYC.vendor).toBe('amd');
      // Dhyana-v1 lacks aes, pclmulqdq and sha-ni that the chosen EPYC model has: it would have been poorer.
      const dhyana = STATIC.expansions['Dhyana-v1'];
      const chosen = STATIC.expansions[b.model!];
      expect(['aes', 'pclmulqdq', 'sha-ni'].filter((f) => !dhyana.includes(f) && chosen.includes(f))).toEqual([
        'aes',
        'pclmulqdq',
        'sha-ni',
      ]);
      // No candidate usable on every member strictly contains the chosen model.
      for (const m of usableEverywhere(pool).filter((x) => lines[x.replace(/-v\d+$/, '')]?.vendor === 'amd'))
        expect(isStrictSubset(chosen, STATIC.expansions[m] ?? []), m).toBe(false);
      // Each member's own best model is also AMD's: the Rome model where it is usable, not Dhyana.
      expect(b.rows.map((r) => [r.host, r.bestModel])).toEqual([
        ['zen2-old', 'EPYC-Rome-v1'],
        ['zen2-72', b.model],
      ]);
      expect(b.rows[0].lost.length).toBeGreaterThan(0); // what the old host gives up is named, not hidden
      expect(b.rows[1]).toMatchObject({ lost: [], usableModels: usableNamedModels(neu.definitions).length });
    },
  );

  it('extra features are those every member has beyond the model, each checked against every expansion', async () => {
    const pool = [
      await member('qmp-kvm-ryzen-9-3900x-12-core', 'a'),
      block(await member('qmp-ryzen-3900x-qemu-7.2', 'b'), /^EPYC-Rome/),
    ];
    const b = computePoolBaseline(pool, expansion, lines);
    const model = new Set(STATIC.expansions[b.model!]);
    expect(b.extraFeatures!.length).toBeGreaterThan(0);
    for (const f of b.extraFeatures!) {
      expect(model.has(f), f).toBe(false);
      for (const h of pool) expect(h.accelFeatures!.features, `${f} on ${h.host}`).toContain(f);
    }
    // Nothing both hosts have beyond the model is left out.
    const both = pool[0].accelFeatures!.features.filter((f) => pool[1].accelFeatures!.features.includes(f));
    expect(both.filter((f) => !model.has(f))).toEqual(b.extraFeatures);
    expect(b.recommendation).toBe([b.model, ...b.extraFeatures!.map((f) => `+${f}`)].join(','));
    // Without one member's host expansion the extras are unknown, said so, and the recommendation is the model alone.
    const c = computePoolBaseline([pool[0], { ...pool[1], accelFeatures: undefined }], expansion, lines);
    expect(c).toMatchObject({
      model: b.model,
      recommendation: b.model,
      extraFeaturesUnknown: expect.stringMatching(/ b$/),
    });
  });

  it(
    'Intel pools keep to Intel models; a Genoa under QEMU 9.2 alone ' +
      'gets an AMD model although Intel ones are usable',
    async () => {
      const sb = await member('qmp-kvm-xeon-e5-2650', 'sb');
      const bw = await member('qmp-kvm-xeon-e5-2630-v4', 'bw');
      const intel = computePoolBaseline([sb, bw], expansion, lines);
      expect(intel).toMatchObject({ vendor: 'intel', model: expect.stringMatching(/^SandyBridge/) });
      const genoa = await member('qmp-epyc-9654-sev-qemu-9.2', 'genoa');
      expect(usableNamedModels(genoa.definitions)).toEqual(
        expect.arrayContaining(['Skylake-Server-v4', 'Icelake-Server-v2']),
      );
      const g = computePoolBaseline([genoa], expansion, lines);
      expect(g.vendor).toBe('amd');
      // QEMU 7.2.22 has no EPYC-Genoa expansion: the richest AMD model it describes wins.
      expect(g.model).toMatch(/^EPYC-(Milan|Rome)/);
      expect(g.unranked).toEqual(expect.arrayContaining(['EPYC-Genoa', 'EPYC-Genoa-v1']));
    },
  );

  it('a pool mixing vendors is a finding; a member of unknown vendor is missing data naming it', async () => {
    const zen2 = await member('qmp-ryzen-3900x-qemu-7.2', 'zen2');
    const sb = await member('qmp-kvm-xeon-e5-2650', 'sb');
    const mixed = computePoolBaseline([zen2, sb], expansion, lines);
    expect(mixed.model).toBeUndefined();
    expect(mixed.problems).toEqual([
      'the pool mixes CPU vendors: AuthenticAMD (zen2), GenuineIntel (sb); a guest cannot live-migrate between vendors',
    ]);
    const unknown = computePoolBaseline([zen2, { ...sb, cpu: undefined }], expansion, lines);
    expect(unknown).toMatchObject({ problems: [], missing: ['the CPU vendor of sb is not known'] });
  });

  it(
    'ranking ties: same features → the newest version, then the ' + 'name (an alias never beats its versioned model)',
    () => {
      const f = ['a', 'b'];
      const r = rankModels(
        [
          { model: 'EPYC-IBPB', features: f },
          { model: 'EPYC-v2', features: f },
          { model: 'EPYC-v1', features: ['a'] },
          { model: 'EPYC-Rome', features: undefined },
          { model: 'Dhyana-v1', features: ['a', 'b', 'c'] },
          { model: 'qemu64', features: ['a', 'b', 'c', 'd'] },
        ],
        'amd',
        lines,
      );
      expect(r.ranked.map((x) => x.model)).toEqual(['EPYC-v2', 'EPYC-IBPB']);
      expect(r).toMatchObject({ dominated: ['EPYC-v1'], unranked: ['EPYC-Rome'], candidatesOf: 'amd' });
      // QEMU's generic models only when no model of the vendor can be ranked.
      const g = rankModels(
        [
          { model: 'qemu64', features: ['a'] },
          { model: 'Dhyana-v1', features: ['a'] },
        ],
        'amd',
        lines,
      );
      expect(g).toMatchObject({ ranked: [{ model: 'qemu64' }], candidatesOf: 'qemu' });
    },
  );
});

describe('pool machine types (QEMU 7.2.0 and 9.2.0 from the shipped libvirt conversations)', () => {
  it('newest common q35 and i440fx; a chosen type the newer QEMU deprecates is flagged', async () => {
    const old = await member('qmp-ryzen-3900x-qemu-7.2', 'old');
    const neu = await member('qmp-epyc-9654-sev-qemu-9.2', 'new');
    const b = computePoolBaseline([old, neu], expansion, lines);
    expect(b).toMatchObject({ machineType: 'pc-q35-7.2', machineTypeI440fx: 'pc-i440fx-7.2' });
    expect(b.rows.map((r) => [r.newestQ35, r.newestI440fx])).toEqual([
      ['pc-q35-7.2', 'pc-i440fx-7.2'],
      ['pc-q35-9.2', 'pc-i440fx-9.2'],
    ]);
    expect(b.deprecatedMachines).toEqual([]);
    // QEMU 9.2 marks the 5.2 types deprecated (query-machines `deprecated: true`): a pool held at 5.2 is flagged.
    expect(neu.deprecatedMachines).toContain('pc-q35-5.2');
    const held = (h: PoolHost) => ({ ...h, machines: h.machines!.filter((m) => !/-(6|7|8|9)\.\d+$/.test(m)) });
    const c = computePoolBaseline([held(old), held(neu)], expansion, lines);
    expect(c.machineType).toBe('pc-q35-5.2');
    expect(c.deprecatedMachines).toEqual([
      { machine: 'pc-q35-5.2', deprecatedOn: ['new (QEMU 9.2.0)'] },
      { machine: 'pc-i440fx-5.2', deprecatedOn: ['new (QEMU 9.2.0)'] },
    ]);
    expect(c.machineNote).toContain('pc-q35-5.2 is deprecated by new (QEMU 9.2.0)');
  });
});
