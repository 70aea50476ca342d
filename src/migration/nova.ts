import type { NovaOutcome, PassRecord } from './types.ts';

/** Nova's [libvirt] live-migration settings (defaults: Nova 26 "Zed", Debian 12's python3-nova). */
export interface NovaSettings {
  /** live_migration_downtime (ms), reached in `steps` steps. */
  downtimeMs: number;
  /** live_migration_downtime_steps. */
  steps: number;
  /** live_migration_downtime_delay: seconds per GiB between steps. */
  delaySecPerGiB: number;
  /** live_migration_completion_timeout: seconds per GiB (0 = never). */
  completionTimeoutSecPerGiB: number;
  /** live_migration_timeout_action. */
  timeoutAction: 'abort' | 'force_complete';
  /** live_migration_permit_post_copy / _auto_converge. */
  permitPostCopy: boolean;
  permitAutoConverge: boolean;
}

export const NOVA_DEFAULTS: NovaSettings = {
  downtimeMs: 500,
  steps: 10,
  delaySecPerGiB: 75,
  completionTimeoutSecPerGiB: 800,
  timeoutAction: 'abort',
  permitPostCopy: false,
  permitAutoConverge: false,
};

/** Nova's data size: guest RAM in GiB with a floor of 2, plus disk GiB for a block migration. */
export function novaDataGb(ramMiB: number, diskGiB = 0): number {
  return Math.max(2, ramMiB / 1024) + diskGiB;
}

/** nova.virt.libvirt.migration.downtime_steps: [seconds after start, downtime ms], Python's int() truncation kept. */
export function novaDowntimeSteps(
  dataGb: number,
  s: Pick<NovaSettings, 'downtimeMs' | 'steps' | 'delaySecPerGiB'> = NOVA_DEFAULTS,
): Array<[number, number]> {
  const delay = Math.trunc(s.delaySecPerGiB * dataGb);
  const base = s.downtimeMs / s.steps;
  const offset = (s.downtimeMs - base) / s.steps;
  return Array.from({ length: s.steps + 1 }, (_, i) => [Math.trunc(delay * i), Math.trunc(base + offset * i)]);
}

/** update_downtime: the last step whose time mark `elapsed` is past (strictly), or undefined before the first. */
export function novaDowntimeAt(steps: Array<[number, number]>, elapsedSec: number): number | undefined {
  let current: number | undefined;
  for (const [mark, ms] of steps) if (elapsedSec > mark) current = ms;
  return current;
}

/**
 * What an OpenStack operator would see had Nova driven this migration: Nova's downtime schedule applied to the
 * measured passes; after the last measured pass the guest is taken to go on as it did then (same remaining,
 * same bandwidth). The completion timeout then ends it by the timeout action. Pure.
 */
export function novaOutcome(
  passes: readonly PassRecord[],
  dataGb: number,
  s: NovaSettings = NOVA_DEFAULTS,
): NovaOutcome {
  const steps = novaDowntimeSteps(dataGb, s);
  const timeoutSec = s.completionTimeoutSecPerGiB > 0 ? Math.trunc(s.completionTimeoutSecPerGiB * dataGb) : Infinity;
  const fits = (p: PassRecord, limit: number | undefined) =>
    limit !== undefined && p.throughput > 0 && p.remaining <= (p.throughput * limit) / 1000;
  const measured = passes.filter((p) => p.pass >= 2);
  for (const p of measured) {
    const sec = p.t / 1000;
    if (sec > timeoutSec) return timedOut(timeoutSec, s);
    const limit = novaDowntimeAt(steps, sec);
    if (fits(p, limit)) return completed(sec, limit!, steps);
  }
  const last = measured[measured.length - 1];
  if (!last || last.throughput <= 0) return timedOut(timeoutSec, s);
  const need = (last.remaining / last.throughput) * 1000;
  const step = steps.find(([, ms]) => ms >= need);
  if (!step)
    return timedOut(
      timeoutSec,
      s,
      `the last step (${steps[steps.length - 1][1]} ms) is below the ${Math.round(need)} ms this guest needs`,
    );
  const at = Math.max(last.t / 1000, step[0]);
  if (at > timeoutSec) return timedOut(timeoutSec, s, `the ${step[1]} ms step comes only at ${step[0]} s`);
  return completed(at, step[1], steps);
}

function completed(sec: number, limit: number, steps: Array<[number, number]>): NovaOutcome {
  const idx = steps.findIndex(([, ms]) => ms === limit);
  return {
    outcome: 'completed',
    atSec: round(sec),
    downtimeLimitMs: limit,
    message: `Nova: completes after ${round(sec)} s at downtime step ${idx} (${limit} ms)`,
  };
}

function timedOut(timeoutSec: number, s: NovaSettings, why?: string): NovaOutcome {
  const reason = why ? `: ${why}` : '';
  const after = `after ${timeoutSec} s (completion timeout ${s.completionTimeoutSecPerGiB} s/GiB)${reason}`;
  if (timeoutSec === Infinity)
    return {
      outcome: 'aborted',
      atSec: null,
      message: `Nova: never completes and never times out (completion timeout 0)${why ? `: ${why}` : ''}`,
    };
  if (s.timeoutAction === 'abort')
    return {
      outcome: 'aborted',
      atSec: timeoutSec,
      message: `Nova: migration aborted ${after}; the instance stays on the source`,
    };
  if (s.permitPostCopy)
    return { outcome: 'postcopy', atSec: timeoutSec, message: `Nova: switches to post-copy ${after} (force_complete)` };
  return {
    outcome: 'paused',
    atSec: timeoutSec,
    message: `Nova: pauses the instance ${after} (force_complete without post-copy), then completes`,
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
