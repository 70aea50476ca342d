import { describe, expect, it } from 'vitest';
import type { Fault, HopReport, RecoveryRecord } from '../../src/migration/index.ts';
import { faultDue, pausedByQemu, recoveryMetrics } from '../../src/migration/hop.ts';
import { markPending, markResolved, markStillPending, retireCheckName } from '../../src/migration/pending-cleanup.ts';

function hop(): HopReport {
  return {
    from: 'node-a',
    to: 'node-b',
    strategy: 'precopy',
    outcome: 'stalled',
    guestOn: 'node-a',
    uri: 'tcp:10.0.0.12:50000',
    settings: { source: { capabilities: {}, parameters: {} }, destination: { capabilities: {}, parameters: {} } },
    metrics: {},
    samples: [],
    passes: [],
    events: [],
    checks: [{ name: 'guest runs on node-a', ok: true, detail: 'running' }],
    cleanupPending: [],
    window: { from: 0, to: 1 },
  };
}

const dir = '/tmp/hwqual-vms/mig-node-b-abc';

describe('pending cleanup records', () => {
  it('a silent host: failing check "cleanup pending on <host>", the host listed as pending, a pending record', () => {
    const r = hop();
    const rec = markPending(r, { host: 'node-b', role: 'destination', workDir: dir }, 1000, 'the host does not answer');
    expect(r.checks.at(-1)).toEqual({
      name: 'nothing left on node-b',
      ok: false,
      detail: 'cleanup pending on node-b: the host does not answer',
    });
    expect(r.cleanupPending).toEqual(['node-b']);
    expect(r.cleanups).toEqual([rec]);
    expect(rec).toMatchObject({ host: 'node-b', state: 'pending', pendingSince: 1000, workDir: dir });
  });

  it('answered and cleaned: the check turns ok with the wait, the host leaves cleanupPending, history stays', () => {
    const r = hop();
    const rec = markPending(r, { host: 'node-b', role: 'destination', workDir: dir }, 1000, 'the host does not answer');
    expect(markResolved(r, rec, 13_345, false)).toBe('cleaned');
    const checks = r.checks.filter((c) => c.name === 'nothing left on node-b');
    expect(checks).toHaveLength(1);
    expect(checks[0].ok).toBe(true);
    expect(checks[0].detail).toMatch(
      /^cleaned up once node-b answered again after 12\.3 s \(cleanup was pending since/,
    );
    expect(r.cleanupPending).toEqual([]);
    expect(r.cleanups).toEqual([
      expect.objectContaining({ state: 'cleaned', pendingSince: 1000, resolvedAt: 13_345, waitedMs: 12_345 }),
    ]);
  });

  it('answers but something is left: the check fails and says what', () => {
    const r = hop();
    const rec = markPending(r, { host: 'node-b', role: 'destination', workDir: dir }, 0, 'the host does not answer');
    expect(markResolved(r, rec, 2000, true)).toBe('left');
    expect(r.checks.at(-1)).toMatchObject({
      ok: false,
      detail: expect.stringContaining(`the work dir ${dir} is still there`),
    });
    expect(r.cleanupPending).toEqual([]);
  });

  it('still silent after the wait: the check says how long, and whether the runner tries again at the end', () => {
    const r = hop();
    const rec = markPending(r, { host: 'node-b', role: 'destination', workDir: dir }, 0, 'the host does not answer');
    markStillPending(r, rec, 60_000, true);
    expect(r.checks.at(-1)).toMatchObject({
      ok: false,
      detail: 'cleanup pending on node-b: no answer within 60.0 s; it is tried again when the case ends',
    });
    markStillPending(r, rec, 60_000, false);
    expect(r.checks.at(-1)?.detail).toBe(
      `cleanup pending on node-b: no answer within 60.0 s; the work dir ${dir} and its QEMU may remain there`,
    );
    expect(rec.state).toBe('pending');
    expect(r.cleanupPending).toEqual(['node-b']);
  });

  it('a source that must be retired keeps the source check name', () => {
    const r = hop();
    markPending(r, { host: 'node-a', role: 'source', workDir: dir }, 0, 'the host does not answer');
    expect(r.checks.at(-1)?.name).toBe(retireCheckName('node-a', 'source'));
    expect(retireCheckName('node-a', 'source')).toBe('source QEMU ended, no process left on node-a');
  });
});

describe('fault timing', () => {
  const setLink = async () => {};
  it('a fault counted from migrate is due at afterMs, whatever the status', () => {
    const f: Fault = { kind: 'link-down', afterMs: 1500, downForMs: 5000, setLink };
    expect(faultDue(f, 'active', 1499, undefined)).toBe(false);
    expect(faultDue(f, 'active', 1500, undefined)).toBe(true);
    expect(faultDue({ kind: 'kill-destination', afterMs: 100 }, 'setup', 100, undefined)).toBe(true);
  });

  it('a fault counted from the post-copy switchover waits for the switch and for postcopy-active', () => {
    const f: Fault = { kind: 'link-down', after: 'postcopy', afterMs: 300, downForMs: 5000, setLink };
    expect(faultDue(f, 'active', 10_000, undefined)).toBe(false);
    expect(faultDue(f, 'active', 10_000, 2000)).toBe(false); // switch sent, not active yet
    expect(faultDue(f, 'postcopy-active', 2299, 2000)).toBe(false);
    expect(faultDue(f, 'postcopy-active', 2300, 2000)).toBe(true);
  });
});

describe('recovery metrics', () => {
  const base: RecoveryRecord = {
    outcome: 'recovered',
    stalledAt: 4000,
    pausedAt: 4100,
    linkBackAt: 9000,
    resumedAt: 9500,
    recoveredAt: 15_100,
    detail: '',
    steps: [],
  };
  it('recovered: 1, paused → resumed, paused → completed, paused → link back', () => {
    expect(recoveryMetrics(base)).toEqual({ recovered: 1, pausedMs: 5400, recoveryMs: 11_000, linkWaitMs: 4900 });
  });
  it('lost before the link came back: 0 and only what happened', () => {
    expect(recoveryMetrics({ outcome: 'lost', stalledAt: 4000, pausedAt: 4100, detail: 'x', steps: [] })).toEqual({
      recovered: 0,
    });
  });
});

describe('a post-copy migration QEMU paused by itself', () => {
  it('is a stall (never non-convergence) that leads to the recovery; other statuses are not', () => {
    expect(pausedByQemu('postcopy-paused', { 'error-desc': 'Broken pipe' })).toEqual({
      kind: 'stalled',
      message: 'stalled: QEMU paused the post-copy migration itself (its channel failed: Broken pipe)',
    });
    expect(pausedByQemu('postcopy-active', {})).toBeUndefined();
    expect(pausedByQemu('active', {})).toBeUndefined();
  });
});
