import type { BaselineDiff, CaseResult, RunRecord } from '../model/result.ts';
import type { CaseStatus } from '../model/status.ts';
import { coveredBy, sampleShifts } from './baseline-samples.ts';

/**
 * What changed since an earlier run, case by case (by case id, which names suite, case, params and host):
 * new failures, fixed, still failing, added, removed, and numeric figures that moved by more than `threshold`
 * (relative: 0.1 = 10 %; from 0 to anything else counts as ±1). Repeated figures with ≥ 5 samples each side are
 * judged on their distributions instead (baseline-samples.ts: exact Mann–Whitney U, p < 0.01, and the medians).
 */
export const DEFAULT_METRIC_THRESHOLD = 0.1;

/** A waived case still failed: the diff is about the hardware, not about the paperwork. */
const FAILING: ReadonlySet<CaseStatus> = new Set(['failed', 'error', 'waived']);
const PASSING: ReadonlySet<CaseStatus> = new Set(['passed', 'flaky']);

export function diffBaseline(
  current: Pick<RunRecord, 'cases'>,
  baseline: Pick<RunRecord, 'cases' | 'run' | 'signoff'>,
  options: { file: string; threshold?: number },
): BaselineDiff {
  const differ = baselineDiffer(baseline, options);
  for (const c of current.cases) differ.add(c);
  return differ.result();
}

/**
 * The diff built one current case at a time (the sign-off's one pass). What stays in memory is the baseline's
 * status and figures by case id, not the current run's cases.
 */
export function baselineDiffer(
  baseline: Pick<RunRecord, 'cases' | 'run' | 'signoff'>,
  options: { file: string; threshold?: number },
): { add(c: CaseResult): void; result(): BaselineDiff } {
  const threshold = options.threshold ?? DEFAULT_METRIC_THRESHOLD;
  const before = new Map<string, Before>();
  // Per baseline case: its status and, when it has any, its figures and samples (most cases have none).
  for (const c of baseline.cases)
    before.set(c.id, {
      status: c.status,
      metrics: hasAny(c.metrics) ? c.metrics : NO_METRICS,
      ...(c.samples && { samples: c.samples }),
      seen: false,
    });
  const diff: BaselineDiff = {
    file: options.file,
    baselineStartedAt: baseline.run.startedAt,
    ...(baseline.signoff ? { baselineVerdict: baseline.signoff.verdict } : {}),
    newFailures: [],
    fixed: [],
    stillFailing: [],
    added: [],
    removed: [],
    metrics: [],
    threshold,
  };
  return {
    add(c) {
      const old = before.get(c.id);
      if (old) old.seen = true;
      else diff.added.push(c.id);
      if (FAILING.has(c.status)) (old && FAILING.has(old.status) ? diff.stillFailing : diff.newFailures).push(c.id);
      else if (old && FAILING.has(old.status) && PASSING.has(c.status)) diff.fixed.push(c.id);
      if (old) diff.metrics.push(...movedMetrics(old, c, threshold));
    },
    result() {
      for (const [id, old] of before) if (!old.seen) diff.removed.push(id);
      return diff;
    },
  };
}

const NO_METRICS: Record<string, number> = Object.freeze({}) as Record<string, number>;

function hasAny(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

interface Before extends Pick<CaseResult, 'status' | 'metrics' | 'samples'> {
  seen: boolean;
}

function movedMetrics(old: Before, c: CaseResult, threshold: number): BaselineDiff['metrics'] {
  const { rows: out, tested } = sampleShifts(old, c, threshold, relativeChange);
  // A case with samples labels its one-against-one rows, so a reader can tell them from the tested ones.
  const label = c.samples ? ({ method: 'single values' } as const) : {};
  for (const [metric, after] of Object.entries(c.metrics)) {
    const beforeValue = old.metrics[metric];
    if (beforeValue === undefined || coveredBy(metric, tested)) continue;
    const change = relativeChange(beforeValue, after);
    if (Math.abs(change) > threshold) out.push({ caseId: c.id, metric, before: beforeValue, after, change, ...label });
  }
  return out;
}

export function relativeChange(before: number, after: number): number {
  if (before === 0) return after === 0 ? 0 : Math.sign(after);
  return (after - before) / Math.abs(before);
}
