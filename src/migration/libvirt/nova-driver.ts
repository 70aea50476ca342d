import { novaDowntimeAt, novaDowntimeSteps, type NovaSettings } from '../nova.ts';
import type { NovaExecuted, NovaOutcome } from '../types.ts';

/**
 * Nova's live-migration monitor (nova/virt/libvirt/driver.py _live_migration_monitor, migration.py), executed against
 * a real libvirt job instead of predicted: every 0.5 s (Nova's loop) pending force-complete tasks run first
 * (`migrate-postcopy` when the migration may switch to post-copy, else the guest is paused), then the completion
 * timeout (`live_migration_completion_timeout` × data GiB) triggers the timeout action — `abort` at once
 * (`domjobabort`), `force_complete` as a task for the next round — and then the downtime step due by now is applied
 * (`migrate-setmaxdowntime`) when it changed. Pure: elapsed seconds in, actions out; the hop runs them with virsh.
 */
export type NovaAction =
  | { kind: 'downtime'; ms: number }
  | { kind: 'abort' }
  | { kind: 'postcopy' }
  | { kind: 'pause' };

export class NovaMonitor {
  private readonly steps: Array<[number, number]>;
  readonly timeoutSec: number | null;
  private current: number | undefined;
  private pendingForce = false;
  private forced = false;
  private switched = false;
  readonly executed: NovaExecuted;

  constructor(
    private readonly s: NovaSettings,
    dataGb: number,
    /** The migration was started with --postcopy (Nova: live_migration_permit_post_copy). */
    private readonly postcopyEnabled: boolean,
  ) {
    this.steps = novaDowntimeSteps(dataGb, s);
    this.timeoutSec = s.completionTimeoutSecPerGiB > 0 ? Math.trunc(s.completionTimeoutSecPerGiB * dataGb) : null;
    this.executed = { downtimeSteps: [], timeoutSec: this.timeoutSec, outcome: 'completed', atSec: null, message: '' };
  }

  /** One round of Nova's loop while the job runs (`inPostcopy`: the switch already happened). */
  tick(elapsedSec: number, inPostcopy: boolean): NovaAction[] {
    const out: NovaAction[] = [];
    if (this.pendingForce && !inPostcopy) {
      this.pendingForce = false;
      // Nova pauses again every round after the timeout; once is what changes anything.
      if (!this.forced) out.push(this.postcopyEnabled ? { kind: 'postcopy' } : { kind: 'pause' });
      this.forced = true;
    }
    if (this.timeoutSec !== null && !inPostcopy && elapsedSec > this.timeoutSec && !this.switched) {
      if (this.s.timeoutAction === 'abort') {
        out.push({ kind: 'abort' });
        this.switched = true;
      } else this.pendingForce = true;
    }
    const due = novaDowntimeAt(this.steps, elapsedSec);
    if (due !== undefined && due !== this.current) {
      this.current = due;
      out.push({ kind: 'downtime', ms: due });
    }
    return out;
  }

  /** Record what an action did (virsh's answer). */
  record(action: NovaAction, atSec: number, result: string): void {
    if (action.kind === 'downtime') this.executed.downtimeSteps.push({ atSec: round(atSec), ms: action.ms });
    else this.executed.timeoutAction ??= { atSec: round(atSec), action: action.kind, result };
  }

  /** The end, once the job is over: completed (when), or what the timeout action made of it. */
  finish(completed: boolean, endSec: number): NovaExecuted {
    const e = this.executed;
    const t = e.timeoutAction;
    const after = t ? ` after the ${this.timeoutSec} s completion timeout` : '';
    if (t?.action === 'abort') {
      e.outcome = 'aborted';
      e.atSec = t.atSec;
      e.message =
        `Nova (executed): migration aborted (domjobabort)${after}; ` +
        `${completed ? 'it completed anyway' : 'the instance stays on the source'}`;
    } else if (t) {
      e.outcome = t.action === 'postcopy' ? 'postcopy' : 'paused';
      e.atSec = t.atSec;
      e.message =
        `Nova (executed): ` +
        `${t.action === 'postcopy' ? 'switched to post-copy (migrate-postcopy)' : 'paused the instance (suspend)'}` +
        `${after} (force_complete), then ${completed ? `completed at ${round(endSec)} s` : 'it did not complete'}`;
    } else if (completed) {
      e.outcome = 'completed';
      e.atSec = round(endSec);
      const last = e.downtimeSteps.at(-1);
      e.message =
        `Nova (executed): completed after ${round(endSec)} s` +
        `${last ? ` at downtime step ${e.downtimeSteps.length - 1} (${last.ms} ms)` : ''}`;
    } else {
      e.outcome = 'aborted';
      e.atSec = round(endSec);
      e.message =
        `Nova (executed): the migration ended without completing at ${round(endSec)} s, ` +
        "before Nova's timeout action";
    }
    return e;
  }
}

/**
 * Where the prediction (novaOutcome over the measured passes) and the execution part: a different outcome, or the
 * same at a clearly different time (more than 5 s or 50 %). Undefined when they agree. Pure.
 */
export function novaDisagreement(predicted: NovaOutcome, executed: NovaExecuted): string | undefined {
  if (predicted.outcome !== executed.outcome)
    return `predicted ${predicted.outcome} (${predicted.message}); executed ${executed.outcome} (${executed.message})`;
  const p = predicted.atSec;
  const x = executed.atSec;
  if (p === null || x === null || Math.abs(p - x) <= Math.max(5, 0.5 * Math.max(p, x))) return undefined;
  return `both ${predicted.outcome}, predicted at ${p} s, executed at ${x} s`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
