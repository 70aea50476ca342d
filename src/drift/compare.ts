import type { HostFacts } from '../model/facts.ts';
import { CMD } from '../probe/commands.ts';
import { FACT_RULES, type DriftClass, type FactRule } from './classes.ts';
import { FactBookkeeping, type Recorded } from './recorded.ts';
import { sameValue, showDiff, showValue } from './values.ts';

/** One line of the drift table: a fact that changed, or one the qualified run cannot vouch for. */
export interface DriftRow {
  fact: string;
  class: DriftClass;
  qualified: string;
  now: string;
  /** changed: both runs recorded it and it differs; unverifiable: one of the runs did not record it (`why`). */
  kind: 'changed' | 'unverifiable';
  why?: typeof NOT_RECORDED_THEN | typeof NOT_GATHERED_NOW;
}

export const NOT_RECORDED_THEN = 'not recorded in the qualified run';
export const NOT_GATHERED_NOW = 'not gathered in this run';

/** Something the reader should know that is not a change (a fact neither run recorded, why a value held). */
export interface DriftNote {
  fact: string;
  class: DriftClass;
  text: string;
  /** It explains the changes (the failure message carries it), rather than a fact neither run recorded. */
  explains?: boolean;
}

export interface FactsComparison {
  rows: DriftRow[];
  notes: DriftNote[];
}

/**
 * The qualified run's facts of a host against the facts gathered now, rule by rule (FACT_RULES): only what the fact
 * commands produce. Present then and absent now is a change (`9.0.0 → absent`); not recorded then is `unverifiable`
 * (a failure, unless cosmetic); recorded by neither run is a note. Pure.
 */
export function compareFacts(then: HostFacts, now: HostFacts): FactsComparison {
  const t = new FactBookkeeping(then);
  const n = new FactBookkeeping(now);
  const out: FactsComparison = { rows: [], notes: [] };
  for (const rule of FACT_RULES) {
    const vt = valueAt(then, rule);
    const vn = valueAt(now, rule);
    const rt = t.fact(rule, vt);
    const rn = n.fact(rule, vn);
    if (rt === 'answered' && rn === 'not-gathered') notGatheredNow(rule, vt, out);
    else if (rt === 'answered') compareRecorded(rule, vt, rn === 'answered' ? vn : undefined, out);
    else if (rn === 'answered' || rt === 'not-gathered')
      unverifiable(rule, rt, rn === 'answered' ? vn : undefined, out);
    else {
      const missing = t.missing(rule);
      const text = missing.length
        ? `recorded by neither run (${commandsOf(missing)}: no answer then nor now)`
        : 'present in neither run';
      out.notes.push({ fact: rule.path, class: rule.class, text });
    }
  }
  return out;
}

function compareRecorded(rule: FactRule, vt: unknown, vn: unknown, out: FactsComparison): void {
  if (rule.compare === 'record') {
    const a = (vt ?? {}) as Record<string, unknown>;
    const b = (vn ?? {}) as Record<string, unknown>;
    if (vt === undefined || vn === undefined) {
      if (vt !== vn) out.rows.push(row(rule, rule.path, showValue(vt), showValue(vn)));
      return;
    }
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (a[key] !== b[key]) out.rows.push(row(rule, `${rule.path}.${key}`, showValue(a[key]), showValue(b[key])));
    }
    return;
  }
  if (sameValue(rule.compare, vt, vn)) return;
  const [q, now] = showDiff(rule.compare, vt, vn);
  out.rows.push(row(rule, rule.path, q, now));
}

function unverifiable(rule: FactRule, then: Recorded, vn: unknown, out: FactsComparison): void {
  const why = then === 'not-gathered' ? 'its fact group was not gathered' : 'its commands did not answer';
  if (rule.class === 'cosmetic') {
    out.notes.push({ fact: rule.path, class: rule.class, text: `not recorded in the qualified run (${why})` });
    return;
  }
  out.rows.push({
    fact: rule.path,
    class: rule.class,
    qualified: `not recorded (${why})`,
    now: vn === undefined ? 'not recorded' : showValue(vn),
    kind: 'unverifiable',
    why: NOT_RECORDED_THEN,
  });
}

/** A plan of its own that runs the drift suite with fewer facts (`facts:`) cannot tell what it did not gather. */
function notGatheredNow(rule: FactRule, vt: unknown, out: FactsComparison): void {
  if (rule.class === 'cosmetic') return;
  out.rows.push({
    fact: rule.path,
    class: rule.class,
    qualified: showValue(vt),
    now: 'not gathered (its fact group was left out)',
    kind: 'unverifiable',
    why: NOT_GATHERED_NOW,
  });
}

function row(rule: FactRule, fact: string, qualified: string, now: string): DriftRow {
  return { fact, class: rule.class, qualified, now, kind: 'changed' };
}

/** The value a rule compares: at its path (through `read` when it has one). */
export function valueAt(facts: HostFacts, rule: FactRule): unknown {
  let cur: unknown = facts;
  for (const key of rule.path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return rule.read ? rule.read(cur) : cur;
}

function commandsOf(names: readonly (keyof typeof CMD)[]): string {
  return names.map((c) => `\`${CMD[c]}\``).join(', ');
}
