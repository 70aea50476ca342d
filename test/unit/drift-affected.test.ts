import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PlanConfig } from '../../src/config/types.ts';
import { affectedCaseIds, grepFor, rerunCommand } from '../../src/drift/affected.ts';
import { indexRun, type QualifiedRun } from '../../src/drift/qualified.ts';
import { referenceFor } from '../../src/drift/reference.ts';
import type { HostFacts } from '../../src/model/facts.ts';
import type { CaseResult, HostResult, RunResults } from '../../src/model/result.ts';
import { expandPlan, filterCases } from '../../src/runner/expand.ts';
import { gatherFacts } from '../../src/runner/facts.ts';
import { loadSuites } from '../../src/runner/load-suites.ts';
import type { PlannedCase } from '../../src/runner/plan-types.ts';
import type { HostInfo } from '../../src/suite-api/types.ts';
import { ReplayTransport } from '../../src/transport/replay.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

/** A qualification plan of every suite that has cross-host cases: migrations in all directions, one CPU pool. */
const plan: PlanConfig = {
  file: '/plans/gen3.yaml',
  sha256: 'a'.repeat(64),
  name: 'gen3',
  suites: ['host-os', 'server-inventory', 'cpu-features', 'encryption', 'live-migration'],
  hosts: {},
  severity: {},
  require: {},
  concurrency: 8,
  timeouts: { case: 60 },
  retries: 0,
  retryFailed: false,
  matrix: {},
  settings: { migration: { pairs: 'all-directions', strategies: ['precopy', 'postcopy'] } },
};

let expansion: PlannedCase[];
/** The pool case: with no cpuPool in the plan, one pool per CPU vendor (named after it), run on its first host. */
let poolCase: string;
let poolName: string;
let q: QualifiedRun;
let qualifiedResults: RunResults;

/** The qualified run: the plan's own expansion on three hosts, as results.json lists it (every case passed). */
beforeAll(async () => {
  const t = await ReplayTransport.open(resolve(PROJECT_ROOT, 'fixtures/hosts/this-machine-debian12'), { host: 'x' });
  const facts: HostFacts = await gatherFacts(t, new AbortController().signal);
  const hosts: HostInfo[] = ['node-a', 'node-b', 'node-c'].map((name) => ({
    name,
    address: name,
    migrationAddress: name,
    labels: { hardware: name === 'node-c' ? 'gen3' : 'gen2' },
    facts,
    replayed: true,
  }));
  expansion = expandPlan({ plan, suites: await loadSuites(plan.suites), hosts: hosts.map((info) => ({ info })) });
  const pool = expansion.find((c) => c.def.id === 'pool-baseline')!;
  poolCase = pool.id;
  poolName = pool.params.pool!;
  const cases = expansion.map(
    (c): CaseResult => ({
      id: c.id,
      suite: c.suite,
      caseId: c.def.id,
      title: c.def.title,
      host: c.host.name,
      params: c.params,
      tags: c.tags,
      severity: c.severity,
      status: 'passed',
      durationMs: 1,
      attempts: 1,
      assertions: [],
      artifacts: [],
      metrics: {},
    }),
  );
  const hostResults: HostResult[] = hosts.map((h) => ({
    name: h.name,
    address: h.address,
    transport: 'replay',
    labels: h.labels,
    facts,
    reachable: true,
  }));
  const results = { schemaVersion: 1, run: {}, hosts: hostResults, cases, summary: {} } as unknown as RunResults;
  qualifiedResults = results;
  q = indexRun('/reports/gen3/results.json', results);
});

const ids = (cls: Parameters<typeof affectedCaseIds>[3], host = 'node-c', ref = host) =>
  affectedCaseIds(q, ref, host, cls);

describe('the cases a drift invalidates', () => {
  it(
    'cpu-visible on node-c: its cpu-features, encryption and ' +
      'migration cases, and the cases elsewhere involving it',
    () => {
      const got = ids(['cpu-visible']);
      expect(new Set(got.map((id) => id.split('/')[0]))).toEqual(
        new Set(['cpu-features', 'encryption', 'live-migration']),
      );
      // migrations to node-c run on their source host; the pool's baseline runs on its first host
      expect(got).toEqual(
        expect.arrayContaining([
          'live-migration/migrate[from=node-c,to=node-a,strategy=precopy]@node-c',
          'live-migration/migrate[from=node-a,to=node-c,strategy=precopy]@node-a',
          'live-migration/migrate[from=node-b,to=node-c,strategy=postcopy]@node-b',
          poolCase,
        ]),
      );
      expect(got.filter((id) => id.startsWith('host-os/') || id.startsWith('server-inventory/'))).toEqual([]);
      expect(got).not.toContain('live-migration/migrate[from=node-a,to=node-b,strategy=precopy]@node-a');
      expect(
        got.filter((id) => id.endsWith('@node-a')).every((id) => id.includes('node-c') || id.includes('pool')),
      ).toBe(true);
    },
  );

  it(
    'inventory touches only server-inventory of the host; firmware ' + 'adds host-os and cpu-features with the pool',
    () => {
      const inv = ids(['inventory']);
      expect(inv.length).toBeGreaterThan(3);
      expect(inv.every((id) => id.startsWith('server-inventory/') && id.endsWith('@node-c'))).toBe(true);
      const fw = ids(['firmware']);
      expect(poolCase).toMatch(/^cpu-features\/pool-baseline\[pool=\w+\]@node-a$/);
      expect(fw).toContain(poolCase);
      expect(fw.some((id) => id.startsWith('live-migration/'))).toBe(false);
      expect(ids(['cosmetic'])).toEqual([]);
    },
  );

  it('the --grep regex selects exactly those ids from the qualified plan’s expansion (filterCases)', () => {
    for (const cls of [['cpu-visible'], ['hypervisor', 'inventory'], ['firmware']] as const) {
      const want = ids([...cls]);
      const got = filterCases(expansion, { grep: new RegExp(grepFor(want)) }).map((c) => c.id);
      expect(got.sort()).toEqual([...want].sort());
    }
  });

  it('the re-run command quotes the regex for a POSIX shell', () => {
    const cmd = rerunCommand({ lab: 'labs/lab one.yaml', plan: 'plan.yaml' }, ["a/b[x=it's]@h"]);
    expect(cmd).toBe(`hwqual run --lab 'labs/lab one.yaml' --plan plan.yaml --grep '^(?:a\\/b\\[x=it'\\''s\\]@h)\\s'`);
  });

  it('a host the run did not have is held to its hardware sibling; its own ids, no cross-host cases', () => {
    const ref = referenceFor(q, 'node-d', { hardware: 'gen3' });
    expect(ref.host?.name).toBe('node-c');
    const got = ids(['cpu-visible'], 'node-d', 'node-c');
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((id) => id.endsWith('@node-d'))).toBe(true);
    expect(got).toContain('live-migration/migrate[from=node-c,to=node-a,strategy=precopy]@node-d');
    const unreachable = indexRun('q', {
      ...qualifiedResults,
      hosts: qualifiedResults.hosts.map((h) =>
        h.name === 'node-c' ? { ...h, reachable: false, error: 'timed out' } : h,
      ),
    });
    expect(referenceFor(unreachable, 'node-c', { hardware: 'gen3' })).toMatchObject({
      why: expect.stringMatching(/^never qualified: node-c was unreachable in the qualified run \(timed out\)/),
    });
    expect(referenceFor(unreachable, 'node-c', { hardware: 'gen2' }).host?.name).toBe('node-a');
    expect(referenceFor(q, 'node-e', { hardware: 'gen4' })).toMatchObject({
      why: expect.stringMatching(/^never qualified: node-e is not in the qualified run and no reachable host/),
    });
  });

  it('pool members come from the pool fact the case recorded when there is one', () => {
    const results = structuredClone(qualifiedResults);
    const pool = results.cases.find((c) => c.caseId === 'pool-baseline')!;
    pool.title = `CPU model for pool ${poolName}`; // no member list in the title: the fact decides
    const extra = { [`cpuPool.${poolName}`]: { hosts: ['node-a', 'node-b'] } };
    results.hosts[0]!.facts = { ...results.hosts[0]!.facts, extra };
    const r = indexRun('x', results);
    expect(affectedCaseIds(r, 'node-b', 'node-b', ['cpu-visible'])).toContain(pool.id);
    expect(affectedCaseIds(r, 'node-c', 'node-c', ['cpu-visible'])).not.toContain(pool.id);
  });
});
