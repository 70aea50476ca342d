import type { CaseResult } from '../model/result.ts';
import type { CaseStatus } from '../model/status.ts';
import type { PlanView } from '../suite-api/types.ts';
import type { Transport } from '../transport/types.ts';
import type { RunCanceller } from './case-stop.ts';
import { executeCase, toCaseResult, type Attempt } from './execute-case.ts';
import { HostLock } from './host-lock.ts';
import type { PlannedCase } from './plan-types.ts';
import type { ProgressReporter } from './progress.ts';

export interface ScheduleInput {
  /** The cases by index (an array, or the plan's PlannedList: a case made when its turn comes). */
  cases: { readonly length: number; at(index: number): PlannedCase | undefined };
  plan: PlanView;
  transports: Map<string, Transport>;
  concurrency: number;
  caseTimeoutSec: number;
  retries: number;
  retryFailed: boolean;
  outDir: string;
  signal: AbortSignal;
  progress: ProgressReporter;
  /** Each case's result as it is decided, by the case's index in `cases` (once per case, run or not). */
  record(index: number, result: CaseResult): void;
  /** A case (by index) has started running (after its host locks). */
  started?(index: number): void;
  /**
   * Where finished cases' transcripts go: `add` keeps a case's text and returns the path its result names;
   * `caseEnded` is called once for every case, run or not.
   */
  transcripts: {
    add(planned: PlannedCase, text: string, index: number): string | undefined;
    caseEnded(planned: PlannedCase): void;
  };
  onHostFacts?(host: string, facts: Record<string, unknown>): void;
}

/**
 * Run cases under the global limit (`concurrency` at a time, started in plan order: runInOrder) and per-host
 * locks; retries; never throws for a case. Results go to `record` as they are decided: nothing here keeps them.
 */
export async function scheduleCases(s: ScheduleInput): Promise<void> {
  const locks = new Map<string, HostLock>();
  const lockOf = (h: string) => locks.get(h) ?? locks.set(h, new HostLock()).get(h)!;
  const safe = (fn: () => void) => {
    try {
      fn();
    } catch {
      /* a reporter's failure does not stop the run */
    }
  };
  // The running cases hear of the run's cancellation through one listener on its signal and a set of callbacks.
  const runCancellers = new Set<RunCanceller>();
  const onAbort = () => {
    for (const c of [...runCancellers]) c.cancel(s.signal.reason);
  };
  s.signal.addEventListener('abort', onAbort, { once: true });

  const runOne = async (planned: PlannedCase, index: number): Promise<CaseResult> => {
    if (planned.hostError || planned.skipReason || s.signal.aborted) {
      const r = notRun(planned, s.signal.aborted);
      safe(() => s.progress.onCaseEnd?.(r));
      return r;
    }
    const also = planned.def.alsoLocks;
    const lockHosts = also?.length ? [...new Set([planned.host.name, ...also])].sort() : [planned.host.name];
    const releases: Array<() => void> = [];
    for (const h of lockHosts) {
      const lock = lockOf(h);
      const readOnly = h === planned.host.name && Boolean(planned.def.readOnly);
      releases.push(lock.tryAcquire(readOnly) ?? (await lock.acquire(readOnly)));
    }
    try {
      s.started?.(index);
      safe(() => s.progress.onCaseStart?.(planned));
      const attempts: Attempt[] = [];
      for (;;) {
        const a = await executeCase({
          planned,
          plan: s.plan,
          transport: s.transports.get(planned.host.name)!,
          peers: s.transports,
          runSignal: s.signal,
          runCancellers,
          timeoutSec: s.caseTimeoutSec,
          outDir: s.outDir,
          attempt: attempts.length + 1,
        });
        attempts.push(a);
        const again = (a.status === 'error' || (a.status === 'failed' && s.retryFailed)) && !s.signal.aborted;
        if (!again || attempts.length > s.retries) break;
      }
      const last = attempts[attempts.length - 1];
      const status: CaseStatus = last.status === 'passed' && attempts.length > 1 ? 'flaky' : last.status;
      if (Object.keys(last.state.facts).length) s.onHostFacts?.(planned.host.name, last.state.facts);
      const transcript = s.transcripts.add(planned, transcriptText(attempts), index);
      const r = toCaseResult(planned, last, attempts.length, status, transcript);
      if (status === 'flaky')
        r.message = `passed on attempt ${attempts.length} after: ${attempts
          .slice(0, -1)
          .map((x) => `${x.status}: ${x.message ?? ''}`)
          .join(' | ')}`;
      safe(() => s.progress.onCaseEnd?.(r));
      return r;
    } finally {
      for (let i = releases.length - 1; i >= 0; i--) releases[i]!();
    }
  };
  const runAndEnd = async (i: number): Promise<void> => {
    const planned = s.cases.at(i)!;
    try {
      s.record(i, await runOne(planned, i));
    } finally {
      s.transcripts.caseEnded(planned);
    }
  };
  try {
    await runInOrder(Math.max(1, s.concurrency), s.cases.length, runAndEnd);
  } finally {
    s.signal.removeEventListener('abort', onAbort);
  }
}

/** Longest the scheduler keeps the event loop waiting while jobs settle without I/O (replayed hosts). */
const YIELD_MS = 20;

/**
 * Run jobs 0 … count-1, `concurrency` at a time, each started in index order as a slot frees up: `concurrency`
 * loops, each taking the next index when its job has settled. Nothing is queued per job (a run may have 300,000
 * cases; p-limit's promises and queue entries per job cost ~0.3 s and a lot of young garbage at that size). Settles
 * when every job has; rejects with the first job that throws, as Promise.all would (the other loops go on).
 * Jobs that never wait for I/O (a replayed host answers from memory) settle in microtasks alone, which would starve
 * the event loop for the whole run (measured: one 1.1 s stall at 2,000 replayed hosts — no SIGINT handled, no timer,
 * no background file write): every YIELD_MS the loops let it turn once.
 */
export async function runInOrder(concurrency: number, count: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let turnAt = performance.now() + YIELD_MS;
  let turn: Promise<void> | undefined;
  const loop = async () => {
    while (next < count) {
      await job(next++);
      if (!turn && performance.now() >= turnAt)
        turn = new Promise((resolve) =>
          setImmediate(() => {
            turn = undefined;
            turnAt = performance.now() + YIELD_MS;
            resolve();
          }),
        );
      if (turn) await turn;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, loop));
}

/** A case's transcript: its one attempt's text, or each attempt's under a header line. */
function transcriptText(attempts: readonly Attempt[]): string {
  if (attempts.length === 1) return attempts[0]!.state.transcript.text();
  return attempts.map((a, i) => `=== attempt ${i + 1}: ${a.status}\n${a.state.transcript.text()}`).join('\n');
}

function notRun(p: PlannedCase, cancelled: boolean): CaseResult {
  if (p.hostError) return { ...baseResult(p), status: 'error', errorCode: 'E_HOST_UNREACHABLE', message: p.hostError };
  if (cancelled) return cancelledCase(p, 'cancelled: the run was interrupted before this case started');
  return { ...baseResult(p), status: 'skipped', message: p.skipReason };
}

/** A case that did not finish because the run stopped. */
export function cancelledCase(p: PlannedCase, message: string): CaseResult {
  return { ...baseResult(p), status: 'cancelled', errorCode: 'E_CANCELLED', message };
}

function baseResult(p: PlannedCase): Omit<CaseResult, 'status'> {
  return {
    id: p.id,
    suite: p.suite,
    caseId: p.def.id,
    title: p.def.title,
    host: p.host.name,
    params: p.params,
    tags: p.tags,
    severity: p.severity,
    durationMs: 0,
    attempts: 0,
    assertions: [],
    artifacts: [],
    metrics: {},
    ...(p.host.replayed && { replayed: true }),
  };
}
