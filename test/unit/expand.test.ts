import { describe, expect, it } from 'vitest';
import type { PlanConfig } from '../../src/config/types.ts';
import { expandPlan, expandPlanList, filterCases } from '../../src/runner/expand.ts';
import type { PlannedCase } from '../../src/runner/plan-types.ts';
import { HostLock } from '../../src/runner/host-lock.ts';
import type { HostInfo, SuiteDef } from '../../src/suite-api/types.ts';

const host = (name: string, flags: string[], replayed = false): HostInfo => ({
  name,
  address: name,
  migrationAddress: name,
  labels: {},
  facts: { arch: 'x86_64', cpu: { flags } },
  replayed,
});
const plan = (over: Partial<PlanConfig> = {}): PlanConfig => ({
  file: 'p',
  sha256: '',
  name: 'p',
  suites: ['s'],
  hosts: {},
  severity: {},
  require: {},
  concurrency: 1,
  timeouts: { case: 1 },
  retries: 0,
  retryFailed: false,
  matrix: { images: ['tiny', 'debian12'], cpuModels: ['max', 'qemu64'] },
  settings: {},
  ...over,
});
const suite: SuiteDef = {
  name: 's',
  title: 'S',
  severity: 'minor',
  tags: ['suite-tag'],
  cases: (_h, p) => [
    { id: 'plain', title: 'plain', run: async () => {} },
    {
      id: 'aes',
      title: 'needs aes',
      severity: 'major',
      tags: ['crypto'],
      requires: [{ cpuFlag: 'aes' }],
      run: async () => {},
    },
    { id: 'live', title: 'needs a live host', requires: [{ live: true }], run: async () => {} },
    ...(p.matrix.images as string[]).flatMap((image) =>
      (p.matrix.cpuModels as string[]).map((cpu) => ({
        id: 'boot',
        title: `boot ${image} on ${cpu}`,
        params: { image, cpu },
        run: async () => {},
      })),
    ),
  ],
};

describe('expandPlan', () => {
  const hosts = [
    { info: host('a', ['aes']) },
    { info: host('b', []) },
    { info: host('c', ['aes'], true) },
    { info: host('d', []), error: 'host unreachable: refused' },
  ];

  it('expands suite × host × matrix cell with stable ids', () => {
    const cases = expandPlan({ plan: plan(), suites: [{ name: 's', def: suite }], hosts });
    expect(cases).toHaveLength(4 * 7);
    expect(cases.filter((c) => c.host.name === 'a').map((c) => c.id)).toEqual([
      's/plain@a',
      's/aes@a',
      's/live@a',
      's/boot[image=tiny,cpu=max]@a',
      's/boot[image=tiny,cpu=qemu64]@a',
      's/boot[image=debian12,cpu=max]@a',
      's/boot[image=debian12,cpu=qemu64]@a',
    ]);
  });

  it('gates on requirements with the reason, and marks unreachable hosts', () => {
    const cases = expandPlan({ plan: plan(), suites: [{ name: 's', def: suite }], hosts });
    const at = (id: string) => cases.find((c) => c.id === id)!;
    expect(at('s/aes@a').skipReason).toBeUndefined();
    expect(at('s/aes@b').skipReason).toBe('requires cpu flag aes');
    expect(at('s/live@c').skipReason).toBe('requires a live host (this one is replayed)');
    expect(at('s/plain@d').hostError).toBe('host unreachable: refused');
  });

  it('takes severity from the plan per case, then per suite, then the case, then the suite', () => {
    const sev = (p: PlanConfig, id: string) =>
      expandPlan({ plan: p, suites: [{ name: 's', def: suite }], hosts }).find((c) => c.id === id)!.severity;
    expect(sev(plan(), 's/plain@a')).toBe('minor');
    expect(sev(plan(), 's/aes@a')).toBe('major');
    expect(sev(plan({ severity: { s: 'blocker' } }), 's/aes@a')).toBe('blocker');
    expect(sev(plan({ severity: { s: 'blocker', 's/aes': 'minor' } }), 's/aes@a')).toBe('minor');
  });

  it('merges suite and case tags, and filters by tag and grep', () => {
    const cases = expandPlan({ plan: plan(), suites: [{ name: 's', def: suite }], hosts });
    expect(cases.find((c) => c.id === 's/aes@a')!.tags).toEqual(['suite-tag', 'crypto']);
    expect(filterCases(cases, { tags: ['crypto'] }).map((c) => c.host.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(filterCases(cases, { grep: /debian12.*qemu64/ }).length).toBe(4);
    expect(filterCases(cases, { grep: /@a /, grepInvert: /boot/ }).map((c) => c.id)).toEqual([
      's/plain@a',
      's/aes@a',
      's/live@a',
    ]);
  });

  it('refuses a suite that lists the same case twice', () => {
    const twice: SuiteDef = {
      name: 't',
      title: 'T',
      cases: () => [
        { id: 'x', title: 'x', run: async () => {} },
        { id: 'x', title: 'x', run: async () => {} },
      ],
    };
    expect(() => expandPlan({ plan: plan(), suites: [{ name: 't', def: twice }], hosts })).toThrow(
      /lists case t\/x@a twice/,
    );
  });
});

describe('PlannedList: the expanded plan without an object per case', () => {
  const hosts = [
    { info: host('a', ['aes']) },
    { info: host('b', []) },
    { info: host('c', ['aes'], true) },
    { info: host('d', []), error: 'host unreachable: refused' },
  ];
  const input = { plan: plan(), suites: [{ name: 's', def: suite }], hosts };

  it('makes each case, by index or in order, equal to the eager expansion; shared parts are shared', () => {
    const list = expandPlanList(input);
    const eager = expandPlan(input);
    // Two expansions ask the suite twice: its case defs (with their run functions) are other objects.
    const plain = ({ def, ...c }: PlannedCase) => ({ ...c, def: def.id });
    expect(list.length).toBe(eager.length);
    expect([...list].map(plain)).toEqual(eager.map(plain));
    expect(plain(list.at(5))).toEqual(plain(eager[5]!));
    expect(list.at(0)).not.toBe(list.at(0)); // made when asked for, kept by no one
    // A suite that gives every host the same case defs (host-checks does) shares their tags and params.
    const defs = [{ id: 'x', title: 'x', tags: ['t'], params: { p: '1' }, run: async () => {} }];
    const same: SuiteDef = { name: 'same', title: 'same', cases: () => defs };
    const shared = expandPlanList({ ...input, suites: [{ name: 'same', def: same }] });
    expect(shared.at(0).tags).toBe(shared.at(1).tags);
    expect(shared.at(0).params).toBe(shared.at(1).params);
    expect([shared.at(0).id, shared.at(1).id]).toEqual(['same/x[p=1]@a', 'same/x[p=1]@b']);
  });

  it('filters to a list over the same groups; filtering again narrows further', () => {
    const list = expandPlanList(input);
    const crypto = filterCases(list, { tags: ['crypto'] });
    expect([...crypto].map((c) => c.id)).toEqual(['s/aes@a', 's/aes@b', 's/aes@c', 's/aes@d']);
    expect(crypto.at(1).skipReason).toBe('requires cpu flag aes');
    expect(crypto.at(3).hostError).toBe('host unreachable: refused');
    expect([...crypto.filter((c) => c.host.name !== 'b')].map((c) => c.host.name)).toEqual(['a', 'c', 'd']);
    expect(list.filter(() => true)).toBe(list);
  });

  it('names the suite × host cells that have a case, each once, without making the cases', () => {
    const two: SuiteDef = { ...suite, name: 't', cases: (h, p) => (h.name === 'b' ? [] : suite.cases(h, p)) };
    const list = expandPlanList({ ...input, suites: [...input.suites, { name: 't', def: two }] });
    const cells = (l: typeof list) => [...l.cells()].map(([s, h]) => `${s}@${h}`);
    expect(cells(list)).toEqual(['s@a', 's@b', 's@c', 's@d', 't@a', 't@c', 't@d']);
    expect(cells(filterCases(list, { grep: /aes@[ab]/ }))).toEqual(['s@a', 's@b', 't@a']);
    expect(cells(filterCases(list, { tags: ['nothing'] }))).toEqual([]);
  });
});

describe('HostLock', () => {
  it('lets read-only cases share a host and gives others the host alone, in arrival order', async () => {
    const lock = new HostLock();
    const log: string[] = [];
    const r1 = await lock.acquire(true);
    const r2 = await lock.acquire(true);
    const w = lock.acquire(false).then((rel) => {
      log.push('writer');
      return rel;
    });
    const r3 = lock.acquire(true).then((rel) => {
      log.push('reader3');
      return rel;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual([]); // the writer waits for both readers; reader3 queues behind the writer
    r1();
    r2();
    const wr = await w;
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual(['writer']);
    wr();
    (await r3)();
    expect(log).toEqual(['writer', 'reader3']);
  });
});
