import type { CompareKind } from './classes.ts';

/** Equality and display of fact values by compare kind (classes.ts). Pure. */

export function sameValue(kind: CompareKind | undefined, a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  switch (kind) {
    case 'set':
      return setDiff(asList(a), asList(b)).every((d) => !d.length);
    case 'tokens':
      return setDiff(tokens(a), tokens(b)).every((d) => !d.length);
    case 'within1pct': {
      const x = Number(a);
      const y = Number(b);
      return Math.abs(x - y) <= 0.01 * Math.max(Math.abs(x), Math.abs(y));
    }
    default:
      return typeof a === 'object' && typeof b === 'object' && stableJson(a) === stableJson(b);
  }
}

/** [qualified, now] as the drift table shows them: for lists, only what differs. */
export function showDiff(kind: CompareKind | undefined, a: unknown, b: unknown): [string, string] {
  if (a !== undefined && b !== undefined && (kind === 'set' || kind === 'tokens')) {
    const [gone, added] = kind === 'set' ? setDiff(asList(a), asList(b)) : setDiff(tokens(a), tokens(b));
    return [
      gone.length ? `only then: ${gone.join(' ')}` : '(nothing only then)',
      added.length ? `only now: ${added.join(' ')}` : '(nothing new)',
    ];
  }
  return [showValue(a), showValue(b)];
}

export function showValue(v: unknown): string {
  if (v === undefined || v === null) return 'absent';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `${v.length} item(s)`;
  const keys = Object.keys(v as object);
  if (keys.length === 1 && keys[0] === 'version') return showValue((v as { version: unknown }).version);
  return stableJson(v);
}

/** JSON with object keys sorted, so two equal facts written in another key order compare equal. */
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as object).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0)))
      : x,
  );
}

function asList(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

function tokens(v: unknown): string[] {
  return String(v).split(/\s+/).filter(Boolean);
}

/** [in a only, in b only], each in its list's order. */
function setDiff(a: readonly string[], b: readonly string[]): [string[], string[]] {
  const sa = new Set(a);
  const sb = new Set(b);
  return [a.filter((x) => !sb.has(x)), b.filter((x) => !sa.has(x))];
}
