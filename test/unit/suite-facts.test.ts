// `facts: auto` gathers only the fact groups the plan's suites declare (SuiteDef.facts). Here every built-in suite
// runs on replayed hosts (recorded profiles in fixtures/hosts) with only its declared groups gathered, its hosts'
// facts behind a proxy that notes every read — in `cases()`, in the runner's requirement gating and in each case's
// `run()` (every case is run, whatever it requires) — and a read of a fact from an undeclared group fails the test.
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../support/temp-dir.ts';
import { describe, expect, it } from 'vitest';
import type { FactGroup } from '../../src/config/types.ts';
import type { HostFacts } from '../../src/model/facts.ts';
import { executeCase } from '../../src/runner/execute-case.ts';
import {
  EXTRA_FACT_GROUPS,
  FACT_FIELD_GROUPS,
  FACT_GROUP_NAMES,
  resolveFactSelection,
} from '../../src/runner/fact-groups.ts';
import { gatherFacts } from '../../src/runner/facts.ts';
import { loadSuites, SUITES_DIR } from '../../src/runner/load-suites.ts';
import { unmetRequirement } from '../../src/runner/requirements.ts';
import type { HostInfo, PlanView, SuiteDef } from '../../src/suite-api/types.ts';
import { ReplayTransport } from '../../src/transport/replay.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { planViewOf } from '../support/plan-check.ts';

/** Two recorded hosts: cross-host suites (pools, migration pairs) see both. */
const PROFILES = ['this-machine-debian12', 'intel-sapphire-rapids'];

/** The group a read of `path` (`cpu`, `extra.xtsAes`) needs; undefined for the run's own notes in `extra`. */
function groupOf(path: string): FactGroup | undefined {
  const [top, sub] = path.split('.');
  if (top === 'extra') return sub ? EXTRA_FACT_GROUPS[sub] : undefined;
  return FACT_FIELD_GROUPS[top as keyof typeof FACT_FIELD_GROUPS];
}

/** `facts` behind a proxy that calls `read` with the top-level key (and `extra.<key>`) of every read, deep ones too. */
function recording(facts: HostFacts, read: (path: string) => void): HostFacts {
  /** What a read of `key` under `path` is noted as: `cpu` for anything in cpu, `extra.xtsAes` for extra's keys. */
  const child = (path: string | undefined, key: string) =>
    path === undefined ? key : path === 'extra' ? `extra.${key}` : path;
  const wrap = <T extends object>(target: T, path?: string): T =>
    new Proxy(target, {
      get(t, key, receiver) {
        const value = Reflect.get(t, key, receiver);
        if (typeof key !== 'string') return value;
        read(child(path, key));
        return value !== null && typeof value === 'object' ? wrap(value, child(path, key)) : value;
      },
      has(t, key) {
        if (typeof key === 'string') read(child(path, key));
        return Reflect.has(t, key);
      },
      ownKeys(t) {
        for (const key of Reflect.ownKeys(t)) if (typeof key === 'string') read(child(path, key));
        return Reflect.ownKeys(t);
      },
    });
  return wrap(facts);
}

/** A plan that turns on what each suite can do: matrix axes, pools, migration pairs both ways; accel left to auto. */
/** A hand-off folder of one pool of these hosts, as `hwqual openstack` writes it (for openstack-handoff). */
function handoffOf(hosts: HostInfo[]): string {
  const dir = tempDir('hwqual-suite-facts-handoff-');
  const names = hosts.map((h) => h.name);
  const pool = { pool: 'all', hosts: names, cpuModels: [{ libvirt: 'Nehalem', qemu: 'Nehalem-v1' }], extraFlags: [] };
  const traits = Object.fromEntries(names.map((n) => [n, ['HW_CPU_X86_SSE2']]));
  writeFileSync(join(dir, 'handoff.json'), JSON.stringify({ run: {}, pools: [{ ...pool, traits, flavors: [] }] }));
  writeFileSync(join(dir, 'nova-compute-all.conf'), '[libvirt]\ncpu_mode = custom\ncpu_models = Nehalem\n');
  return dir;
}

function planFor(hosts: HostInfo[]): PlanView {
  return planViewOf({
    matrix: { cpuModels: ['Nehalem'], images: ['tiny'] },
    settings: {
      cpuPool: { name: 'all', hosts: hosts.map((h) => h.name) },
      migration: { pairs: 'all-directions' },
      openstack: { dir: handoffOf(hosts) },
    } as never,
    hosts,
  });
}

/** Run every case of `suite` on replayed hosts with only `groups` gathered; the fact groups it read. */
async function groupsRead(suite: SuiteDef, name: string, groups: FactGroup[]): Promise<Map<FactGroup, string>> {
  const read = new Map<FactGroup, string>();
  let where = '';
  const note = (path: string) => {
    const g = groupOf(path);
    if (g && !read.has(g)) read.set(g, `${path} (in ${where})`);
  };
  const transports = await Promise.all(
    PROFILES.map((p) => ReplayTransport.open(resolve(PROJECT_ROOT, 'fixtures/hosts', p))),
  );
  const hosts: HostInfo[] = [];
  for (const [i, t] of transports.entries()) {
    const facts = await gatherFacts(t, new AbortController().signal, groups);
    hosts.push({
      name: t.host,
      address: `replay-${i}`,
      migrationAddress: `replay-${i}`,
      labels: { pool: 'all' },
      facts: recording(facts, note),
      replayed: true,
    });
  }
  const plan = planFor(hosts);
  const peers = new Map(transports.map((t) => [t.host, t]));
  const outDir = tempDir(`hwqual-suite-facts-${name}-`);
  for (const [i, host] of hosts.entries()) {
    where = `${name} cases() for ${host.name}`;
    const defs = suite.cases(host, plan);
    for (const def of defs) {
      where = `${name}/${def.id} requires`;
      unmetRequirement(host, def.requires);
      where = `${name}/${def.id} run()`;
      // Every case runs, whatever it requires: on replay a case stops at its first command not recorded.
      await executeCase({
        planned: {
          id: `${name}/${def.id}@${host.name}`,
          suite: name,
          def,
          host,
          severity: 'major',
          params: def.params ?? {},
          tags: [],
        },
        plan,
        transport: transports[i]!,
        peers,
        runSignal: new AbortController().signal,
        timeoutSec: 20,
        outDir,
        attempt: 1,
        graceMs: 500,
      });
    }
  }
  await Promise.all(transports.map((t) => t.close()));
  return read;
}

const BUILT_IN = readdirSync(SUITES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('each suite reads only the fact groups it declares (facts: auto)', () => {
  it.each(BUILT_IN)(
    '%s',
    async (name) => {
      const [loaded] = await loadSuites([name]);
      const declared = loaded!.def.facts;
      expect(declared, `suites/${name}/index.ts declares no facts: [...]`).toBeDefined();
      const gathered = resolveFactSelection('auto', [loaded!.def]) as FactGroup[];
      // A suite that declares every group (drift: it compares all of them) cannot read an undeclared one.
      if (gathered.length === FACT_GROUP_NAMES.length) return;
      const read = await groupsRead(loaded!.def, name, gathered);
      const undeclared = [...read].filter(([g]) => !gathered.includes(g)).map(([g, at]) => `${g}: ${at}`);
      expect(undeclared).toEqual([]);
    },
    120_000,
  );

  it('the detector sees a read of an undeclared group (it can fail)', async () => {
    const reader: SuiteDef = {
      name: 'reader',
      title: 'reads the CPU without saying so',
      facts: [],
      cases: (host) => [
        {
          id: 'flags',
          title: 'flags',
          requires: [{ fact: 'kvm.device' }],
          run: async (ctx) => {
            ctx.log(String(ctx.host.facts.extra?.xtsAes));
          },
        },
        { id: 'c', title: String(host.facts.cpu?.flags?.length), run: async () => {} },
      ],
    };
    const read = await groupsRead(reader, 'reader', ['identity']);
    expect([...read.keys()].sort()).toEqual(['cpu', 'security', 'virt']);
    expect(read.get('virt')).toBe('kvm (in reader/flags requires)');
  });

  it('auto is identity and the suites’ groups; a suite that declares nothing known gets all', () => {
    expect(resolveFactSelection(undefined, [{ facts: [] }])).toEqual(['identity']);
    expect(resolveFactSelection('auto', [{ facts: ['virt'] }, { facts: ['cpu', 'virt'] }])).toEqual([
      'identity',
      'cpu',
      'virt',
    ]);
    expect(resolveFactSelection('auto', [{ facts: ['cpu'] }, {}])).toBe('all');
    expect(resolveFactSelection(['memory'], [{}])).toEqual(['memory']);
    expect(resolveFactSelection('none', [{ facts: ['cpu'] }])).toBe('none');
  });
});
