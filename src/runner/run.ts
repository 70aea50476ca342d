import { basename } from 'node:path';
import type { LabConfig, PlanConfig } from '../config/types.ts';
import type { Cases, RunRecord, RunResults, RunSummary } from '../model/result.ts';
import { summarize } from '../model/result.ts';
import { type CaseSink, memorySink } from './case-sink.ts';
import { planView } from './expand.ts';
import { hostResult } from './hosts.ts';
import { gitCommitLater, harnessVersion } from './meta.ts';
import type { PreparedRun } from './prepare.ts';
import { defaultProgress, type ProgressReporter } from './progress.ts';
import { cancelledCase, scheduleCases } from './schedule.ts';
import { HostTranscripts } from './transcript-file.ts';

export interface ExecuteOptions {
  lab: LabConfig;
  plan: PlanConfig;
  prepared: PreparedRun;
  outDir: string;
  signal: AbortSignal;
  progress?: ProgressReporter;
  argv?: string[];
  startedAt?: Date;
  shard?: { index: number; total: number };
  /**
   * Called once, before the cases start, with a function that returns the run's results as they stand at any moment
   * (cases not finished: `cancelled`, run interrupted): what the forced exit (a second SIGINT) writes as reports.
   */
  onSnapshot?: (snapshot: () => RunRecord) => void;
  /**
   * Where the finished cases go (by plan index): `logSink` streams them to the run's case log on disk (what
   * `hwqual run` does: memory stays per host, not per case) and the results read them back from it. Default: in
   * memory, and the results hold them in an array.
   */
  sink?: CaseSink;
}

/** Run the prepared cases and assemble the results (plain data). Closes the hosts' transports. */
export function executeRun(o: ExecuteOptions & { sink: CaseSink }): Promise<RunRecord>;
export function executeRun(o: ExecuteOptions): Promise<RunResults>;
export async function executeRun(o: ExecuteOptions): Promise<RunRecord> {
  const startedAt = o.startedAt ?? new Date();
  const progress = o.progress ?? defaultProgress();
  const { prepared } = o;
  const memory = o.sink ? undefined : memorySink(prepared.cases.length);
  const sink = o.sink ?? memory!;
  const transcripts = new HostTranscripts(o.outDir, prepared.cases);
  await transcripts.open();
  const hostFacts = new Map<string, Record<string, unknown>>();
  const started = new Uint8Array(prepared.cases.length);
  let commit: string | null = null;
  const committed = gitCommitLater().then((c) => {
    commit = c;
  });
  o.onSnapshot?.(() => {
    const fill = (i: number) =>
      cancelledCase(
        prepared.cases.at(i),
        started[i]
          ? 'cancelled: hwqual was forced to stop (second signal) while this case ran; its teardown was skipped'
          : 'cancelled: hwqual was forced to stop (second signal) before this case started',
      );
    const cases = memory ? memory.array(fill) : sink.cases(fill);
    return assemble(o, startedAt, cases, summarize(cases), hostFacts, true, commit);
  });
  try {
    progress.onRunStart?.(prepared.cases);
  } catch {
    /* reporters never stop the run */
  }
  try {
    await scheduleCases({
      cases: prepared.cases,
      plan: { ...planView(o.plan), hosts: prepared.hosts.map((h) => h.info) },
      transports: new Map(prepared.hosts.map((h) => [h.info.name, h.binding.transport])),
      concurrency: o.plan.concurrency,
      caseTimeoutSec: o.plan.timeouts.case,
      retries: o.plan.retries,
      retryFailed: o.plan.retryFailed,
      outDir: o.outDir,
      signal: o.signal,
      progress,
      record: (i, r) => sink.put(i, r),
      started: (i) => {
        started[i] = 1;
      },
      onHostFacts: (host, facts) => hostFacts.set(host, { ...hostFacts.get(host), ...facts }),
      transcripts,
    });
  } finally {
    await Promise.all(prepared.hosts.map((h) => h.binding.transport.close().catch(() => {})));
  }
  await transcripts.close();
  await committed;
  const cases = memory ? memory.array() : withIdsHash(sink.cases(), prepared);
  const results = assemble(o, startedAt, cases, sink.summary(), hostFacts, o.signal.aborted, commit);
  try {
    progress.onRunEnd?.(results.summary);
  } catch {
    /* ignore */
  }
  return results;
}

/**
 * A run's cases are its planned cases, run or not; when no filter left any out, their ids' set hash is the plan's
 * (known from prepare): the sign-off need not hash 300,000 ids again.
 */
function withIdsHash(cases: Cases, prepared: PreparedRun): Cases {
  const complete = completeRunCases(prepared);
  if (!complete.idsHash || cases.length !== complete.length) return cases;
  return Object.assign(cases, { idsHash: complete.idsHash });
}

/** The count and (when no filter left a case out) the id hash of a run's cases once every case has run or not. */
export function completeRunCases(prepared: PreparedRun): Pick<Cases, 'length' | 'idsHash'> {
  const { length } = prepared.cases;
  return length === prepared.all.length ? { length, idsHash: prepared.plannedCases.idsHash } : { length };
}

/** The run's results (plain data) from its cases so far. */
function assemble(
  o: ExecuteOptions,
  startedAt: Date,
  cases: Cases,
  summary: RunSummary,
  hostFacts: ReadonlyMap<string, Record<string, unknown>>,
  interrupted: boolean,
  commit: string | null,
): RunRecord {
  const { prepared } = o;
  return {
    schemaVersion: 1,
    run: {
      plan: o.plan.name,
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      harnessVersion: harnessVersion(),
      gitCommit: commit,
      labFile: basename(o.lab.file),
      labSha256: o.lab.sha256,
      planFile: basename(o.plan.file),
      planSha256: o.plan.sha256,
      argv: o.argv ?? [],
      interrupted,
      ...(o.shard && { shard: o.shard }),
      planned: prepared.planned,
      plannedCases: prepared.plannedCases,
    },
    hosts: prepared.hosts.map((h) => hostResult(h, hostFacts.get(h.info.name) ?? {})),
    cases,
    summary,
  };
}
