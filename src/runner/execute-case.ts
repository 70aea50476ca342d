import { AssertionFailure, HwqualError, SkipCase, errorCodeOf, messageOf } from '../model/errors.ts';
import { joinWhy } from '../probe/fact-sources.ts';
import type { CaseResult } from '../model/result.ts';
import type { CaseStatus } from '../model/status.ts';
import type { PlanView } from '../suite-api/types.ts';
import type { Transport } from '../transport/types.ts';
import { CaseStop, type RunCanceller } from './case-stop.ts';
import { createContext, type CaseState } from './context.ts';
import type { PlannedCase } from './plan-types.ts';

export interface ExecuteInput {
  planned: PlannedCase;
  plan: PlanView;
  transport: Transport;
  /** Every host's transport, for CaseContext.peer. */
  peers?: ReadonlyMap<string, Transport>;
  runSignal: AbortSignal;
  timeoutSec: number;
  outDir: string;
  attempt: number;
  /**
   * The scheduler's set of running cases' cancel callbacks, called once when the run is cancelled (else: runSignal's
   * listeners).
   */
  runCancellers?: Set<RunCanceller>;
  /** How long a case may take to wind down after its signal fired before it is abandoned. */
  graceMs?: number;
}

export interface Attempt {
  status: Exclude<CaseStatus, 'flaky' | 'waived'>;
  message?: string;
  errorCode?: string;
  expected?: string;
  actual?: string;
  state: CaseState;
  startedAt: string;
  durationMs: number;
}

/** Run one attempt of a case: context, timeout, classification, cleanups in reverse. Never throws. */
export async function executeCase(input: ExecuteInput): Promise<Attempt> {
  const { planned, runSignal } = input;
  const timeoutSec = planned.def.timeoutSec ?? input.timeoutSec;
  const stop = new CaseStop(timeoutSec, runSignal, input.runCancellers);
  const { signal } = stop;
  const { ctx, state } = createContext({
    host: planned.host,
    plan: input.plan,
    params: planned.params,
    transport: input.transport,
    peers: input.peers,
    signal,
    outDir: input.outDir,
    caseId: planned.id,
    attempt: input.attempt,
    deadline: Date.now() + timeoutSec * 1000,
    readOnly: planned.def.readOnly,
  });
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  let outcome: Pick<Attempt, 'status' | 'message' | 'errorCode' | 'expected' | 'actual'>;
  try {
    await stop.race(planned.def.run(ctx), input.graceMs ?? 5000);
    const missed = state.assertions.filter((a) => !a.passed);
    outcome = missed.length
      ? {
          status: 'failed',
          message: missed.map((a) => a.message).join('\n'),
          expected: missed.map((a) => `${a.name}: ${a.expected}`).join('\n'),
          actual: missed.map((a) => `${a.name}: ${a.actual}`).join('\n'),
        }
      : { status: 'passed' };
  } catch (err) {
    outcome = classify(err, { runSignal, timedOut: stop.timedOut });
  } finally {
    // The signal fires at the end only when something may listen (or cleanups follow: they run after it, as always).
    stop.end(state.inflight > 0 || state.signalTaken || state.cleanups.length > 0);
  }
  outcome = accountForUnrecorded(outcome, state, input.transport.replayedFrom ?? 'the replayed profile');
  outcome = accountForNeedsRoot(outcome, state);
  for (const cleanup of state.cleanups.reverse()) {
    try {
      await cleanup();
    } catch (err) {
      state.transcript.log(`cleanup failed: ${messageOf(err)}`);
      if (outcome.status === 'passed')
        outcome = { status: 'error', errorCode: errorCodeOf(err), message: `cleanup failed: ${messageOf(err)}` };
    }
  }
  return { ...outcome, state, startedAt, durationMs: performance.now() - t0 };
}

function classify(
  err: unknown,
  s: { runSignal: AbortSignal; timedOut: boolean },
): Pick<Attempt, 'status' | 'message' | 'errorCode' | 'expected' | 'actual'> {
  if (s.runSignal.aborted)
    return { status: 'cancelled', errorCode: 'E_CANCELLED', message: 'cancelled: the run was interrupted' };
  if (s.timedOut)
    return {
      status: 'error',
      errorCode: 'E_TIMEOUT',
      message: messageOf(err).startsWith('timed out') ? messageOf(err) : `timed out: ${messageOf(err)}`,
    };
  if (err instanceof SkipCase) return { status: 'skipped', message: err.message };
  // A probe that needs root, on a host logged into as another user without `become`: not a finding, not a fault.
  if (err instanceof HwqualError && err.code === 'E_NEEDS_ROOT') return { status: 'skipped', message: err.message };
  if (err instanceof AssertionFailure) {
    return { status: 'failed', message: err.message, expected: str(err.expected), actual: str(err.actual) };
  }
  return { status: 'error', errorCode: errorCodeOf(err), message: messageOf(err) };
}

/**
 * On a replayed host, data the profile did not hold must not read as a finding about the host: a case that failed
 * for want of a value (actual unknown) after some of its commands were not recorded is an `error` naming them; a
 * failure with a concrete actual value stays a finding; a skip says which commands were missing.
 */
function accountForUnrecorded<T extends Pick<Attempt, 'status' | 'message' | 'errorCode' | 'expected' | 'actual'>>(
  outcome: T,
  state: CaseState,
  profile: string,
): T {
  const { unrecorded } = state;
  if (!unrecorded.length) return outcome;
  const why = `not recorded in ${profile}: ${unrecorded.join('; ')}`;
  const missed = state.assertions.filter((a) => !a.passed);
  const unknownActual = missed.length ? missed.some((a) => a.actual === '(absent)') : outcome.actual === undefined;
  if (outcome.status === 'failed' && unknownActual)
    return { ...outcome, status: 'error', errorCode: 'E_NOT_RECORDED', message: `${outcome.message} — ${why}` };
  if (outcome.status === 'skipped' && !outcome.message?.includes('not recorded'))
    return { ...outcome, message: `${outcome.message} — ${why}` };
  return outcome;
}

/**
 * A case some of whose commands were not run for want of root (a non-root login without `become`): a failure for
 * want of a value (actual unknown) is no finding about the host — `skipped`, saying which commands needed root; a
 * failure with a concrete actual value stays a finding; a skip says it too.
 */
function accountForNeedsRoot<T extends Pick<Attempt, 'status' | 'message' | 'errorCode' | 'expected' | 'actual'>>(
  outcome: T,
  state: CaseState,
): T {
  if (!state.needsRoot.length) return outcome;
  const why = joinWhy(state.needsRoot);
  const missed = state.assertions.filter((a) => !a.passed);
  const unknownActual = missed.length ? missed.some((a) => a.actual === '(absent)') : outcome.actual === undefined;
  if (outcome.status === 'failed' && unknownActual)
    return {
      ...outcome,
      status: 'skipped',
      message: `${outcome.message} — the verdict needs what only root reads: ${why}`,
    };
  if (outcome.status === 'skipped' && !outcome.message?.includes('needs root'))
    return { ...outcome, message: `${outcome.message} — ${why}` };
  return outcome;
}

function str(v: unknown): string | undefined {
  return v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
}

export function toCaseResult(
  planned: PlannedCase,
  attempt: Attempt,
  attempts: number,
  status: CaseStatus,
  transcriptPath?: string,
): CaseResult {
  // Optional fields are set in place, in the schema's order (no object spread per field: 60,000 cases a run).
  const r = {
    id: planned.id,
    suite: planned.suite,
    caseId: planned.def.id,
    title: planned.def.title,
    host: planned.host.name,
    params: planned.params,
    tags: planned.tags,
    severity: planned.severity,
    status,
  } as CaseResult;
  if (attempt.message !== undefined) r.message = attempt.message;
  if (attempt.errorCode !== undefined) r.errorCode = attempt.errorCode;
  if (attempt.expected !== undefined) r.expected = attempt.expected;
  if (attempt.actual !== undefined) r.actual = attempt.actual;
  r.startedAt = attempt.startedAt;
  r.durationMs = Math.round(attempt.durationMs);
  r.attempts = attempts;
  r.assertions = attempt.state.assertions;
  r.artifacts = attempt.state.artifacts;
  if (transcriptPath) r.transcript = transcriptPath;
  r.metrics = attempt.state.metrics;
  if (attempt.state.charts.length) r.charts = attempt.state.charts;
  if (Object.keys(attempt.state.samples).length) r.samples = attempt.state.samples;
  if (planned.host.replayed) r.replayed = true;
  return r;
}
