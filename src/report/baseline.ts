import type { BaselineDiff, CaseResult, RunResults } from '../model/result.ts';
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
  current: Pick<RunResults, 'cases'>,
  baseline: Pick<RunResults, 'cases' | 'run' | 'signoff'>,
  options: { file: string; threshold?: number },
): BaselineDiff {
  const threshold = options.threshold ?? DEFAULT_METRIC_THRESHOLD;
  const before = new Map(baseline.cases.map((c) => [c.id, c]));
  const now = new Map(current.cases.map((c) => [c.id, c]));
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
  for (const [id, c] of now) {
    const old = before.get(id);
    if (!old) diff.added.push(id);
    if (FAILING.has(c.status)) (old && FAILING.has(old.status) ? diff.stillFailing : diff.newFailures).push(id);
    else if (old && FAILING.has(old.status) && PASSING.has(c.status)) diff.fixed.push(id);
    if (old) diff.metrics.push(...movedMetrics(old, c, threshold));
  }
  for (const id of before.keys()) if (!now.has(id)) diff.removed.push(id);
  return diff;
}

function movedMetrics(old: CaseResult, c: CaseResult, threshold: number): BaselineDiff['metrics'] {
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
