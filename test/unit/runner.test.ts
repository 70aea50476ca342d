import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { LabConfig, PlanConfig } from '../../src/config/types.ts';
import { normalizeLab } from '../../src/config/lab.ts';
import { prepareRun } from '../../src/runner/prepare.ts';
import { executeRun } from '../../src/runner/run.ts';
import { PlainProgress } from '../../src/runner/progress.ts';
import { HostLock } from '../../src/runner/host-lock.ts';
import { runInOrder } from '../../src/runner/schedule.ts';
import { LocalTransport } from '../../src/transport/local.ts';
import { runFolderReader } from '../../src/report/reporter.ts';
import { transcriptReader } from '../../src/report/transcripts.ts';
import { planConfig } from '../support/plan-config.ts';
import { tempDir } from '../support/temp-dir.ts';

/** Only what these cases are gated on; the real fact gathering has its own tests. */
const gatherFacts = async (t: LocalTransport) => ({
  arch: (await t.exec('uname -m')).stdout.trim(),
  cpu: { flags: ['fpu'] },
});
const SUITES = join(import.meta.dirname, '../fixtures/suites');

function lab(names = ['local']): LabConfig {
  return normalizeLab(
    { hosts: names.map((name) => ({ name, address: 'local' })) },
    '/tmp/lab.yaml',
    'lab.yaml',
    'x'.repeat(64),
  );
}
function plan(over: Partial<PlanConfig> = {}): PlanConfig {
  return planConfig({ name: 'runner-test', suites: ['demo-behaviours'], concurrency: 4, ...over });
}

async function run(p: PlanConfig, filter = {}) {
  const out = tempDir('hwqual-run-');
  const lines: string[] = [];
  const prepared = await prepareRun({
    lab: lab(),
    plan: p,
    filter,
    suitesDir: SUITES,
    transportFactory: (h) => new LocalTransport(h.name),
    gatherFacts: gatherFacts as never,
  });
  const results = await executeRun({
    lab: lab(),
    plan: p,
    prepared,
    outDir: out,
    signal: new AbortController().signal,
    progress: new PlainProgress((l) => lines.push(l)),
  });
  return { out, results, lines, byId: (id: string) => results.cases.find((c) => c.caseId === id)! };
}

describe('runner on the local host', () => {
  it('tells passed, failed, error, timeout and skipped apart and never crashes', async () => {
    const { results, byId, out, lines } = await run(plan({ settings: { flakyMarker: join(tempDir('m-'), 'x') } }));
    expect(byId('passes').status).toBe('passed');
    expect(byId('passes').metrics.answer).toBe(42);
    expect(readFileSync(join(out, byId('passes').artifacts[0].path), 'utf8')).toBe('artifact body');
    expect(byId('fails')).toMatchObject({ status: 'failed', expected: 'Plan9', actual: 'Linux' });
    const soft = byId('soft-fails');
    expect(soft.status).toBe('failed');
    expect(soft.assertions.filter((a) => !a.passed).map((a) => a.name)).toEqual(['one', 'three']);
    expect(byId('errors')).toMatchObject({ status: 'error', errorCode: 'E_COMMAND_NOT_FOUND' });
    expect(byId('times-out')).toMatchObject({ status: 'error', errorCode: 'E_TIMEOUT' });
    expect(byId('needs-flag')).toMatchObject({ status: 'skipped', message: 'requires cpu flag hwqual_no_such_flag' });
    expect(byId('flaky').status).toBe('error'); // retries: 0
    // one transcript file per host, a section per case
    expect(new Set(results.cases.filter((c) => c.transcript).map((c) => c.transcript))).toEqual(
      new Set(['transcripts/local.txt']),
    );
    const transcriptOf = transcriptReader(runFolderReader(out));
    const transcript = transcriptOf(byId('cleanup-order'))!;
    expect(transcript.indexOf('cleanup B')).toBeLessThan(transcript.indexOf('cleanup A'));
    expect(transcriptOf(byId('errors'))).toMatch(/exit 127: command not found/);
    expect(transcriptOf(byId('passes'))).not.toMatch(/exit 127/);
    expect(results.summary).toMatchObject({ total: 8, passed: 2, failed: 2, error: 3, skipped: 1 });
    expect(lines.at(-1)).toBe('2 passed, 2 failed, 3 errors, 1 skipped');
    expect(lines.filter((l) => /^(PASSED|FAILED|ERROR|SKIPPED)/.test(l))).toHaveLength(8);
    // the timed-out command's process group is gone from the host
    expect(execSync('pgrep -f hwqual-timeout-marke[r]-local || true').toString().trim()).toBe('');
  });

  it('re-runs errors with retries; a pass on a re-run is flaky, never passed', async () => {
    const marker = join(tempDir('m-'), 'x');
    const { byId } = await run(plan({ retries: 1, settings: { flakyMarker: marker } }), { grep: /flaky|fails/ });
    expect(byId('flaky')).toMatchObject({ status: 'flaky', attempts: 2 });
    expect(byId('fails')).toMatchObject({ status: 'failed', attempts: 1 }); // failures are not retried by default
  });

  it('retryFailed also re-runs failures', async () => {
    const { byId } = await run(plan({ retries: 2, retryFailed: true }), { grep: /\/fails@/ });
    expect(byId('fails')).toMatchObject({ status: 'failed', attempts: 3 });
  });

  it('filters by --tag and --grep, and refuses a filter that selects nothing', async () => {
    const { results } = await run(plan(), { tags: ['fast'] });
    expect(results.cases.map((c) => c.caseId)).toEqual(['passes']);
    await expect(run(plan(), { grep: /nothing-matches/ })).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('cancels running cases when the run is aborted', async () => {
    const out = tempDir('hwqual-run-');
    const p = plan({ concurrency: 1 });
    const prepared = await prepareRun({
      lab: lab(),
      plan: p,
      suitesDir: SUITES,
      filter: { grep: /times-out|passes/ },
      transportFactory: (h) => new LocalTransport(h.name),
      gatherFacts: gatherFacts as never,
    });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 300);
    const results = await executeRun({
      lab: lab(),
      plan: { ...p, timeouts: { case: 60 } },
      prepared,
      outDir: out,
      signal: ctl.signal,
      progress: {},
    });
    expect(results.run.interrupted).toBe(true);
    expect(results.cases.some((c) => c.status === 'cancelled')).toBe(true);
    expect(existsSync(out)).toBe(true);
  });

  it('runs at most `concurrency` cases at once, started in plan order, results in plan order', async () => {
    // A suite written here: each case notes its start and end in a log this test reads (same process).
    const dir = tempDir('hwqual-suites-');
    mkdirSync(join(dir, 'overlap'));
    const api = join(import.meta.dirname, '../../src/suite-api/index.ts');
    writeFileSync(
      join(dir, 'overlap/index.ts'),
      `import { defineSuite } from ${JSON.stringify(api)};
      const log = ((globalThis as any).__overlapLog ??= []);
      export default defineSuite({ name: 'overlap', title: 'overlap', cases: () => [1, 2, 3, 4].map((i) => ({
        id: 'c' + i, title: 'case ' + i, readOnly: true,
        async run(ctx) {
          log.push(['start', ctx.host.name + '/c' + i]);
          await new Promise((r) => setTimeout(r, 20));
          log.push(['end']);
        },
      })) });`,
    );
    const hosts = ['h1', 'h2', 'h3', 'h4', 'h5'];
    const p = plan({ suites: ['overlap'], concurrency: 3 });
    const prepared = await prepareRun({
      lab: lab(hosts),
      plan: p,
      filter: {},
      suitesDir: dir,
      transportFactory: (h) => new LocalTransport(h.name),
      gatherFacts: gatherFacts as never,
    });
    const results = await executeRun({
      lab: lab(hosts),
      plan: p,
      prepared,
      outDir: tempDir('hwqual-run-'),
      signal: new AbortController().signal,
      progress: {},
    });
    const log = (globalThis as { __overlapLog?: Array<[string, string?]> }).__overlapLog!;
    let running = 0;
    let most = 0;
    for (const [what] of log) most = Math.max(most, (running += what === 'start' ? 1 : -1));
    expect(most).toBe(3);
    expect(results.cases).toHaveLength(20);
    expect(results.cases.every((c) => c.status === 'passed')).toBe(true);
    const planOrder = results.cases.map((c) => `${c.host}/${c.caseId}`);
    expect(log.filter(([w]) => w === 'start').map(([, id]) => id)).toEqual(planOrder);
    expect(new Set(planOrder).size).toBe(20);
  });

  it('runs jobs in index order, at most `concurrency` at once, every job once; the first throw rejects', async () => {
    const started: number[] = [];
    let running = 0;
    let most = 0;
    await runInOrder(3, 50, async (i) => {
      started.push(i);
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, i % 4));
      running--;
    });
    expect(started).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(most).toBe(3);
    await expect(runInOrder(2, 0, async () => {})).resolves.toBeUndefined();
    const ran: number[] = [];
    await expect(
      runInOrder(2, 5, async (i) => {
        ran.push(i);
        if (i === 3) throw new Error('job 3');
      }),
    ).rejects.toThrow('job 3');
    expect(ran).toEqual([0, 1, 2, 3, 4]);
  });

  it('lets the event loop turn while jobs settle without I/O (replayed hosts): timers, signals are heard', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const until = performance.now() + 300;
    await runInOrder(8, 1_000_000, async () => {
      if (performance.now() > until) return;
      const t = performance.now();
      while (performance.now() - t < 0.05); // a job that computes for 50 µs and never waits
    });
    clearInterval(timer);
    expect(ticks).toBeGreaterThanOrEqual(3);
  });

  it('HostLock.tryAcquire takes a free lock at once and gives way to waiters and writers as acquire does', async () => {
    const lock = new HostLock();
    const r1 = lock.tryAcquire(true)!;
    const r2 = lock.tryAcquire(true)!;
    expect(lock.tryAcquire(false)).toBeUndefined(); // readers in
    const writer = lock.acquire(false);
    expect(lock.tryAcquire(true)).toBeUndefined(); // a writer waits: no reader jumps it
    r1();
    r2();
    const w = await writer;
    expect(lock.tryAcquire(true)).toBeUndefined();
    w();
    expect(lock.tryAcquire(false)).toBeDefined();
  });
});
