import type { Severity } from '../model/status.ts';
import type { CaseDef, HostInfo } from '../suite-api/types.ts';
import type { LoadedSuite, PlannedCase } from './plan-types.ts';

/** One suite × host group of the expanded plan: the suite's cases for that host, from `start` in the whole list. */
export interface PlanGroup {
  suite: LoadedSuite;
  host: HostInfo;
  hostError?: string;
  defs: readonly CaseDef[];
  start: number;
}

/** What every host's copy of a case shares (the same def on every host): severity, tags, params. */
export interface CaseShared {
  severity: Severity;
  tags: string[];
  params: Record<string, string>;
  /** `<suite>/<id>[k=v,…]`: the id without the host. */
  prefix: string;
}

/**
 * The expanded plan without a PlannedCase object per case: its suite × host groups (each the suite's case defs for
 * that host), what a case shares with its copies on other hosts, and the few requirement skips. A case is made
 * when asked for (`at`, iteration) and dropped once used: a run of 10,000 hosts × 30 checks held 300,000 planned
 * cases (60 MiB) for its whole length otherwise. `picks` (when the filters left some out) are the kept cases'
 * indexes in the whole list.
 */
export class PlannedList implements Iterable<PlannedCase> {
  readonly length: number;

  constructor(
    private readonly groups: readonly PlanGroup[],
    private readonly shared: ReadonlyMap<CaseDef, CaseShared>,
    private readonly skips: ReadonlyMap<number, string>,
    /** Cases in the whole list (before picks). */
    readonly total: number,
    private readonly picks?: Int32Array,
  ) {
    this.length = picks ? picks.length : total;
  }

  /** The case at `i` (0 ≤ i < length), made now. */
  at(i: number): PlannedCase {
    const whole = this.picks ? this.picks[i]! : i;
    const g = this.groupOf(whole);
    const def = g.defs[whole - g.start]!;
    const s = this.shared.get(def)!;
    const c: PlannedCase = {
      id: `${s.prefix}@${g.host.name}`,
      suite: g.suite.name,
      def,
      host: g.host,
      severity: s.severity,
      params: s.params,
      tags: s.tags,
    };
    if (g.hostError) c.hostError = g.hostError;
    else {
      const skip = this.skips.get(whole);
      if (skip) c.skipReason = skip;
    }
    return c;
  }

  *[Symbol.iterator](): Iterator<PlannedCase> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }

  /** The suite × host groups that have a case in this list, as [suite, host name], each once (no case made). */
  *cells(): Generator<[string, string]> {
    let last: PlanGroup | undefined;
    if (!this.picks) {
      for (const g of this.groups) if (g.defs.length) yield [g.suite.name, g.host.name];
      return;
    }
    for (const i of this.picks) {
      const g = this.groupOf(i);
      if (g !== last) yield [g.suite.name, g.host.name];
      last = g;
    }
  }

  /** The cases `keep` keeps, as a list over the same groups (each case made once to decide). */
  filter(keep: (c: PlannedCase) => boolean): PlannedList {
    const picked: number[] = [];
    for (let i = 0; i < this.length; i++) if (keep(this.at(i))) picked.push(this.picks ? this.picks[i]! : i);
    if (picked.length === this.total) return this;
    return new PlannedList(this.groups, this.shared, this.skips, this.total, Int32Array.from(picked));
  }

  /** The group of a case by its index in the whole list (binary search over the groups' starts). */
  private groupOf(whole: number): PlanGroup {
    let lo = 0;
    let hi = this.groups.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.groups[mid]!.start <= whole) lo = mid;
      else hi = mid - 1;
    }
    return this.groups[lo]!;
  }
}
