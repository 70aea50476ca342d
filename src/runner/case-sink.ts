import { CaseLog } from '../model/case-log.ts';
import type { CaseResult, Cases, RunSummary } from '../model/result.ts';
import { summarize } from '../model/result.ts';

/**
 * Where a run keeps its finished cases, by their index in the plan: in memory (an array: tests, `hwqual record`,
 * small runs), or in the run's append-only case log on disk (`hwqual run`: what stays in memory is per host, not
 * per case). Either way the cases come back in plan order.
 */
export interface CaseSink {
  put(index: number, c: CaseResult): void;
  has(index: number): boolean;
  /** The cases in plan order; a missing one from `fill`, or left out. */
  cases(fill?: (index: number) => CaseResult | undefined): Cases;
  /** The summary of the cases put so far. */
  summary(): RunSummary;
}

export function memorySink(
  count: number,
): CaseSink & { array(fill?: (index: number) => CaseResult | undefined): CaseResult[] } {
  const slots = new Array<CaseResult | undefined>(count);
  const array = (fill: (index: number) => CaseResult | undefined = () => undefined) => {
    const out: CaseResult[] = [];
    for (let i = 0; i < count; i++) {
      const c = slots[i] ?? fill(i);
      if (c) out.push(c);
    }
    return out;
  };
  return {
    put: (i, c) => {
      slots[i] = c;
    },
    has: (i) => slots[i] !== undefined,
    cases: array,
    summary: () => summarize(array()),
    array,
  };
}

/** `observe`: also given each case as it is put (e.g. the sign-off's feed: src/report/signoff-feed.ts). */
export function logSink(
  file: string,
  count: number,
  observe?: (index: number, c: CaseResult) => void,
): CaseSink & { log: CaseLog } {
  const log = CaseLog.create(file, count);
  const tally = summarize([]);
  return {
    log,
    put: (i, c) => {
      log.put(i, c);
      tally.total++;
      tally[c.status]++;
      observe?.(i, c);
    },
    has: (i) => log.has(i),
    cases: (fill) => log.cases(fill),
    summary: () => ({ ...tally }),
  };
}
