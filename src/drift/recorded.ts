import type { HostFacts } from '../model/facts.ts';
import { FACT_GROUPS, type FactCommand } from '../probe/host-facts.ts';
import type { FactRule } from './classes.ts';

/**
 * Whether a run recorded a fact: `answered` (one of its fact commands answered — an absent value then means absent
 * on the host), `unavailable` (its commands ran and did not answer: missing, failed, unparseable), `not-gathered`
 * (the run did not ask: `facts:` left its group out). Read from the run's own bookkeeping (`extra.unavailable`,
 * `extra.unparsed`, `extra.factsNotGathered`, written by gatherFacts); facts without it (or a rule without known
 * sources) count as answered when present. Pure.
 */
export type Recorded = 'answered' | 'unavailable' | 'not-gathered';

export class FactBookkeeping {
  private readonly unavailable: ReadonlySet<string>;
  private readonly notGathered: ReadonlySet<string>;
  private readonly known: boolean;

  constructor(facts: HostFacts) {
    const extra = facts.extra ?? {};
    const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);
    this.known = Array.isArray(extra.unavailable);
    this.unavailable = new Set([...list(extra.unavailable), ...list(extra.unparsed)]);
    this.notGathered = new Set(
      list(extra.factsNotGathered).flatMap((g) => FACT_GROUPS[g as keyof typeof FACT_GROUPS] ?? []),
    );
  }

  command(name: FactCommand): Recorded {
    if (this.notGathered.has(name)) return 'not-gathered';
    return this.unavailable.has(name) ? 'unavailable' : 'answered';
  }

  /** How the run recorded the fact of this rule; `value` is what it holds at the rule's path. */
  fact(rule: FactRule, value: unknown): Recorded {
    if (!this.known || !rule.sources.length) return value === undefined ? 'unavailable' : 'answered';
    const states = rule.sources.map((c) => this.command(c));
    if (states.includes('answered')) return 'answered';
    return states.every((s) => s === 'not-gathered') ? 'not-gathered' : 'unavailable';
  }

  /** The commands of a rule that did not answer, for the message ("libvirtd --version, virsh --version"). */
  missing(rule: FactRule): FactCommand[] {
    return rule.sources.filter((c) => this.command(c) !== 'answered');
  }
}
