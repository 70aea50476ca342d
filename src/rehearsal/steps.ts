import { errorCodeOf, messageOf } from '../model/errors.ts';
import {
  migrateHop,
  settleHop,
  type Endpoint,
  type HopReport,
  type Tuning,
  type WorkloadGuest,
} from '../migration/index.ts';
import type { BuiltImage } from '../vm/images/built-image.ts';
import type { Guest } from './guests.ts';
import { outcomeText } from './report.ts';
import type { HopSummary, RehearsalStep, StepKind } from './types.ts';

/**
 * The rehearsal's steps: each is one JUnit case. `run` records a step around its body — passed, failed (a check did
 * not hold), error (the lab or harness threw), cancelled (Ctrl-C before it began) — with its time and where every
 * guest is when it ends.
 */
export class Steps {
  readonly list: RehearsalStep[] = [];

  constructor(
    private readonly placement: () => Record<string, string>,
    private readonly signal: AbortSignal,
    private readonly log: (m: string) => void,
  ) {}

  /** Run one step; true when the rehearsal may go on. */
  async run(kind: StepKind, host: string, title: string, body: (s: RehearsalStep) => Promise<void>): Promise<boolean> {
    const s = this.add(kind, host, title, 'passed');
    const t0 = Date.now();
    if (this.signal.aborted) {
      s.status = 'cancelled';
      s.message = 'not started: the rehearsal was interrupted';
    } else {
      this.log(`step ${s.n}: ${title}`);
      try {
        await body(s);
        const failed = s.checks.filter((c) => !c.ok);
        if (failed.length) {
          s.status = 'failed';
          s.message = failed.map((c) => `${c.name}: ${c.detail}`).join('; ');
        }
      } catch (err) {
        s.status = errorCodeOf(err) === 'E_CANCELLED' ? 'cancelled' : 'error';
        s.errorCode = errorCodeOf(err);
        s.message = messageOf(err);
      }
    }
    s.durationMs = Date.now() - t0;
    s.placement = this.placement();
    this.log(`step ${s.n}: ${s.status}${s.message ? ` — ${s.message}` : ''} (${(s.durationMs / 1000).toFixed(1)} s)`);
    return s.status === 'passed';
  }

  /** A step whose checks were made already (the final locate: it runs also after Ctrl-C). */
  record(kind: StepKind, host: string, title: string, checks: RehearsalStep['checks']): void {
    const failed = checks.filter((c) => !c.ok);
    const s = this.add(kind, host, title, failed.length ? 'failed' : 'passed');
    if (failed.length) s.message = failed.map((c) => `${c.name}: ${c.detail}`).join('; ');
    s.checks = checks;
    for (const c of checks) this.log(`${c.ok ? 'ok' : 'FAIL'} ${c.name}: ${c.detail}`);
  }

  skip(kind: StepKind, host: string, title: string, why: string): void {
    this.add(kind, host, title, 'skipped').message = why;
    this.log(`step ${this.list.length}: ${title}: skipped — ${why}`);
  }

  private add(kind: StepKind, host: string, title: string, status: RehearsalStep['status']): RehearsalStep {
    const s: RehearsalStep = {
      n: this.list.length + 1,
      kind,
      host,
      title,
      status,
      startedAt: new Date().toISOString(),
      durationMs: 0,
      placement: this.placement(),
      metrics: {},
      checks: [],
    };
    this.list.push(s);
    return s;
  }
}

/** How every hop of the rehearsal migrates (pre-copy, the pool's guest, the plan's bounds). */
export interface HopSettings {
  image: BuiltImage;
  guest: WorkloadGuest;
  tuning: Tuning;
  deadlineMs: number;
  stallMs: number;
  cleanupWaitMs: number;
  log: (m: string) => void;
}

/**
 * Move one guest with the migration wing's own steps (migrateHop, then settleHop: verify where it runs, retire the
 * other VM), record the hop in the step, and update the guest's handle and host. True when it completed and every
 * check held. No AbortSignal: a hop in flight finishes (or is cancelled by its own detector) before Ctrl-C stops the
 * rehearsal, so no guest is left half-way.
 */
export async function moveGuest(
  g: Guest,
  from: Endpoint,
  to: Endpoint,
  hs: HopSettings,
  step: RehearsalStep,
): Promise<boolean> {
  const log = (m: string) => hs.log(`${g.name}: ${m}`);
  const { report, dst } = await migrateHop(
    g.handle,
    {
      source: from,
      destination: to,
      image: hs.image,
      guest: hs.guest,
      strategy: 'precopy',
      tuning: hs.tuning,
      deadlineMs: hs.deadlineMs,
      stallMs: hs.stallMs,
      sampleMs: 100,
      log,
    },
    g.collector,
  );
  const holder = await settleHop(report, { runner: g.handle, dst, from, to }, g.collector, {
    waitMs: hs.cleanupWaitMs,
    log,
  });
  if (holder) {
    g.handle = holder;
    g.on = holder.label;
  }
  g.hops++;
  const hop = summary(g.name, report);
  step.hops = [...(step.hops ?? []), hop];
  for (const c of hop.checks) step.checks.push({ ...c, name: `${g.name} ${hop.from}→${hop.to}: ${c.name}` });
  if (report.outcome !== 'completed')
    step.checks.push({
      name: `${g.name} ${hop.from}→${hop.to}: migration completes`,
      ok: false,
      detail: `${outcomeText(report.outcome, report.diagnosis ?? 'no diagnosis')}; ${g.name} runs on ${report.guestOn}`,
    });
  const put = (k: string, v: number | undefined) => {
    if (v !== undefined) step.metrics[`${g.name}_${k}`] = v;
  };
  put('total_ms', hop.totalMs);
  put('downtime_ms', hop.downtimeMs);
  put('blackout_ms', hop.blackoutMs);
  log(
    `${hop.from} → ${hop.to}: ${hop.outcome}, downtime ${hop.downtimeMs ?? '?'} ms, ` +
      `blackout ${hop.blackoutMs ?? '?'} ms`,
  );
  return report.outcome === 'completed' && hop.checks.every((c) => c.ok);
}

function summary(guest: string, r: HopReport): HopSummary {
  return {
    guest,
    from: r.from,
    to: r.to,
    outcome: r.outcome,
    ...(r.diagnosis && { diagnosis: r.diagnosis }),
    totalMs: r.metrics.totalMs,
    downtimeMs: r.metrics.downtimeMs,
    blackoutMs: r.metrics.blackoutMs,
    checks: r.checks.map((c) => ({ ...c })),
    cleanupPending: r.cleanupPending,
  };
}
