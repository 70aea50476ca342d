import { describe, expect, it } from 'vitest';
import type { HeartbeatLine } from '../../src/migration/index.ts';
import {
  checkInvariants,
  evacuationTarget,
  formatRehearsal,
  initialPlacement,
  noRegression,
  rehearsalResults,
  releaseOs,
  type Location,
  type RehearsalReport,
  type RehearsalStep,
} from '../../src/rehearsal/index.ts';
import { buildJunit } from '../../src/report/junit.ts';
import { validateXsd, xmlFile, xpath } from './report-xml-helpers.ts';

const beat = (host: string, at: number, counter: number): HeartbeatLine => ({
  host,
  at,
  counter,
  guestMs: counter * 10,
  writes: 0,
});
const here = (host: string): Location => ({ host, heartbeat: true, status: 'running', detail: `on ${host}` });

describe('rehearsal placement', () => {
  it('spreads the guests over the pool in lab order', () => {
    expect(initialPlacement(['node-a', 'node-b', 'node-c'], 4)).toEqual([
      { name: 'g1', host: 'node-a' },
      { name: 'g2', host: 'node-b' },
      { name: 'g3', host: 'node-c' },
      { name: 'g4', host: 'node-a' },
    ]);
  });

  it('evacuates to the least loaded other host, the first in pool order on a tie', () => {
    const hosts = ['node-a', 'node-b', 'node-c'];
    expect(evacuationTarget('node-a', hosts, { g1: 'node-a', g2: 'node-b' })).toBe('node-c');
    expect(evacuationTarget('node-a', hosts, { g1: 'node-a' })).toBe('node-b');
    expect(evacuationTarget('node-b', hosts, { g1: 'node-b', g2: 'node-a', g3: 'node-a', g4: 'node-c' })).toBe(
      'node-c',
    );
  });
});

describe('rehearsal invariants', () => {
  const window = { from: 0, to: 100_000 };
  const reimage = { host: 'node-a', from: 10_000, to: 13_000, locatedBefore: { g1: here('node-c') } };
  const clean = [
    beat('node-a', 1000, 1),
    beat('node-c', 9000, 2),
    beat('node-c', 12_000, 3),
    beat('node-a', 20_000, 4),
  ];

  it('hold when the heartbeats say so', () => {
    const inv = checkInvariants({
      guests: [{ name: 'g1', heartbeats: clean }],
      reimages: [reimage],
      final: { g1: here('node-a') },
      hostsAfter: { 'node-a': 'debian-13', 'node-c': 'debian-13' },
      to: 'debian-13',
      window,
    });
    expect(inv.map((i) => [i.name, i.ok])).toEqual([
      ['no guest was on a host while it was re-imaged', true],
      ['no heartbeat counter ever reset', true],
      ['every guest ends running', true],
      ['every host runs debian-13', true],
    ]);
    expect(inv[0]!.detail).toBe('re-imaged: node-a (g1 on node-c); no heartbeat from a host during its re-image');
  });

  it('are checked from the records, not assumed: each one can fail', () => {
    const inv = checkInvariants({
      guests: [
        { name: 'g1', heartbeats: [...clean.slice(0, 2), beat('node-a', 11_000, 3), beat('node-a', 20_000, 3)] },
      ],
      reimages: [reimage],
      final: { g1: { heartbeat: false, detail: 'no heartbeat within 10 s; last seen on node-a' } },
      hostsAfter: { 'node-a': 'debian-13', 'node-c': 'machine' },
      to: 'debian-13',
      window,
    });
    expect(inv.map((i) => i.ok)).toEqual([false, false, false, false]);
    expect(inv[0]!.detail).toBe('g1 heartbeat from node-a while it was re-imaged');
    expect(inv[1]!.detail).toBe('g1: 3 → 3 on node-a');
    expect(inv[2]!.detail).toBe('g1: no heartbeat within 10 s; last seen on node-a');
    expect(inv[3]!.detail).toBe('node-c runs machine');
    const unlocated = { ...reimage, locatedBefore: { g1: { heartbeat: false, detail: 'silent' } } };
    expect(
      checkInvariants({ guests: [], reimages: [unlocated], final: {}, hostsAfter: {}, to: 'debian-13', window })[0],
    ).toMatchObject({ ok: false, detail: 'g1 not located (silent)' });
  });
});

describe('host-os on a re-imaged host', () => {
  const run = (...cases: Array<[string, string]>) => ({
    cases: cases.map(([id, status]) => ({ id: `host-os/${id}@node-a`, status })),
  });

  it('fails only what the upgrade made worse; what the host had already is listed', () => {
    const before = run(['os-release', 'failed'], ['iommu', 'failed'], ['qemu-version', 'passed']);
    const same = noRegression(before, run(['os-release', 'passed'], ['iommu', 'failed'], ['qemu-version', 'passed']));
    expect(same).toMatchObject({ ok: true, detail: '2 passed, 1 failed (iommu); as before the re-image: iommu' });
    const worse = noRegression(before, run(['os-release', 'passed'], ['iommu', 'failed'], ['qemu-version', 'error']));
    expect(worse).toMatchObject({ ok: false, detail: 'qemu-version error (passed before)' });
    expect(noRegression(before, run(['cryptsetup-version', 'failed'])).detail).toBe(
      'cryptsetup-version failed (new before)',
    );
    expect(noRegression(before, { cases: [], unreachable: 'connection refused' })).toMatchObject({
      ok: false,
      detail: 'host-os did not run: connection refused',
    });
  });

  it('knows what os-release a release reports', () => {
    expect(releaseOs('debian-13')).toEqual({ id: 'debian', versionId: '13' });
    expect(releaseOs('debian-12+libvirt')).toEqual({ id: 'debian', versionId: '12' });
  });
});

describe('rehearsal report', () => {
  const step = (n: number, kind: RehearsalStep['kind'], status: RehearsalStep['status']): RehearsalStep => ({
    n,
    kind,
    host: 'node-a',
    title: `${kind} node-a`,
    status,
    ...(status === 'failed' && { message: 'g1 node-a→node-c: migration completes: stalled' }),
    startedAt: '2026-12-06T10:00:00.000Z',
    durationMs: 1500,
    placement: { g1: 'node-a' },
    metrics: kind === 'evacuate' ? { evacuation_ms: 1500, g1_downtime_ms: 12 } : {},
    checks: [{ name: 'g1 runs', ok: status !== 'failed', detail: 'heartbeat 10 from node-a' }],
    ...(kind === 'evacuate' && {
      hops: [
        {
          guest: 'g1',
          from: 'node-a',
          to: 'node-c',
          outcome: 'stalled',
          diagnosis: 'stalled: no bytes',
          checks: [],
          cleanupPending: [],
        },
      ],
    }),
  });
  const report: RehearsalReport = {
    pool: 'local-lab',
    to: 'debian-13',
    lab: '/tmp/lab/lab.yaml',
    startedAt: '2026-12-06T10:00:00.000Z',
    endedAt: '2026-12-06T10:00:30.000Z',
    durationMs: 30_000,
    outcome: 'failed',
    stoppedBy: 'step 2 (evacuate node-a): stalled',
    hosts: [{ name: 'node-a', before: 'machine', after: 'machine' }],
    guest: { memoryMiB: 128, wssMiB: 8, dirtyMiBps: 4, accel: 'tcg', cpu: { model: 'qemu64', source: 'fallback' } },
    guests: [{ name: 'g1', home: 'node-a', on: 'node-a', located: here('node-a'), hops: 1 }],
    steps: [step(1, 'boot', 'passed'), step(2, 'evacuate', 'failed'), step(3, 'reimage', 'cancelled')],
    invariants: [{ name: 'every host runs debian-13', ok: false, detail: 'node-a runs machine' }],
    teardown: { kept: false, detail: ['g1: torn down on node-a'] },
  };

  it('JUnit: one case per step, then the invariants, valid against the XSD', () => {
    const meta = { harnessVersion: '0.1.0', gitCommit: null, labSha256: 'x', argv: ['rehearse'] };
    const file = xmlFile(buildJunit(rehearsalResults(report, meta)));
    expect(validateXsd(file).ok).toBe(true);
    expect(xpath(file, 'count(//testcase)')).toBe('4');
    expect(xpath(file, 'string(//testcase[2]/@name)')).toBe('evacuate[step=02,host=node-a]: evacuate node-a');
    expect(xpath(file, 'string(//testcase[2]/failure/@message)')).toContain('stalled');
    expect(xpath(file, 'count(//testcase[3]/error)')).toBe('1'); // cancelled
    expect(xpath(file, 'string(//testcase[4]/failure/@message)')).toBe('node-a runs machine');
  });

  it('rehearsal.md says it is a re-image, and lists steps, migrations, invariants and where the guests are', () => {
    const md = formatRehearsal(report);
    expect(md).toContain('not upgraded in place with `apt dist-upgrade`');
    expect(md).toContain('| 2 | evacuate node-a | failed: g1 node-a→node-c: migration completes: stalled | 1.5 s |');
    expect(md).toContain('| 2 | g1 | node-a → node-c | stalled: no bytes | - | - | - |');
    expect(md).toContain('- **does not hold**: every host runs debian-13 — node-a runs machine');
    expect(md).toContain('- g1: runs on node-a (on node-a)');
  });
});
