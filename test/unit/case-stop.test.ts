import { describe, expect, it } from 'vitest';
import { CaseStop, type RunCanceller } from '../../src/runner/case-stop.ts';

const never = new Promise<never>(() => {});

describe("CaseStop: a case's timeout and the run's cancellation", () => {
  it('a timeout fires the signal with E_TIMEOUT and rejects the race once run() unwinds', async () => {
    const stop = new CaseStop(0.05, new AbortController().signal, new Set());
    let unwind!: () => void;
    const run = new Promise<string>((resolve) => {
      unwind = () => resolve('late');
    });
    stop.signal.addEventListener('abort', () => unwind());
    await expect(stop.race(run, 5000)).rejects.toMatchObject({ code: 'E_TIMEOUT', message: 'timed out after 0.05 s' });
    expect(stop.timedOut).toBe(true);
    stop.end(false);
  });

  it('abandons a run() that ignores the signal after the grace period', async () => {
    const stop = new CaseStop(0.02, new AbortController().signal);
    const t0 = Date.now();
    await expect(stop.race(never, 100)).rejects.toMatchObject({ code: 'E_TIMEOUT' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    stop.end(false);
  });

  it("the run's cancellation reaches every running case through the cancellers; ended cases leave", async () => {
    const cancellers = new Set<RunCanceller>();
    const run = new AbortController();
    const a = new CaseStop(60, run.signal, cancellers);
    const b = new CaseStop(60, run.signal, cancellers);
    expect(cancellers.size).toBe(2);
    b.end(false);
    expect(cancellers.size).toBe(1);
    const raced = a.race(never, 10);
    for (const c of cancellers) c.cancel('interrupted');
    await expect(raced).rejects.toBe('interrupted');
    expect(a.signal.aborted).toBe(true);
    expect(a.timedOut).toBe(false);
    a.end(true);
    expect(cancellers.size).toBe(0);
  });

  it('without a cancellers set it listens to the run signal itself; an aborted run stops a case at once', async () => {
    const run = new AbortController();
    run.abort('gone');
    const stop = new CaseStop(60, run.signal);
    expect(stop.signal.aborted).toBe(true);
    await expect(stop.race(Promise.resolve(1), 10)).rejects.toBe('gone');
    stop.end(false);
  });

  it("resolves with run()'s value; at the end the signal fires only if something may still listen", async () => {
    const quiet = new CaseStop(60, new AbortController().signal, new Set());
    await expect(quiet.race(Promise.resolve(42), 10)).resolves.toBe(42);
    quiet.end(false);
    expect(quiet.signal.aborted).toBe(false);
    const busy = new CaseStop(60, new AbortController().signal, new Set());
    await expect(busy.race(Promise.reject(new Error('boom')), 10)).rejects.toThrow('boom');
    busy.end(true);
    expect(busy.signal.aborted).toBe(true);
    expect(busy.signal.reason).toMatchObject({ code: 'E_CANCELLED', message: 'the case ended' });
  });

  it('hands a quiet case’s controller to the next case; never one that fired or still has a listener', async () => {
    const cancellers = new Set<RunCanceller>();
    const run = new AbortController().signal;
    const quiet = new CaseStop(60, run, cancellers);
    const reused = quiet.signal;
    quiet.end(false);
    const next = new CaseStop(60, run, cancellers);
    expect(next.signal).toBe(reused);
    expect(next.signal.aborted).toBe(false);
    // A listener left on the signal (a command that never removed it): the controller is not handed on.
    const listened = next.signal;
    listened.addEventListener('abort', () => {});
    next.end(false);
    const third = new CaseStop(60, run, cancellers);
    expect(third.signal).not.toBe(listened);
    // A case whose signal fired (something may listen): not handed on either.
    const fired = third.signal;
    third.end(true);
    expect(fired.aborted).toBe(true);
    const fourth = new CaseStop(60, run, cancellers);
    expect(fourth.signal).not.toBe(fired);
    expect(fourth.signal.aborted).toBe(false);
    fourth.end(false);
  });
});
