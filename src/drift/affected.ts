import { CLASS_SUITES, type DriftClass } from './classes.ts';
import type { QualifiedRun } from './qualified.ts';

/**
 * The ids of the qualified run's cases a drift invalidates: the reference host's cases of the suites its classes
 * name (renamed to the host when the reference is a same-hardware sibling), and — for the host itself — the cases
 * on other hosts that involve it (a migration to it, the baseline of its pool). In the run's order. Pure.
 */
export function affectedCaseIds(q: QualifiedRun, ref: string, host: string, classes: readonly DriftClass[]): string[] {
  const suites = new Set(classes.flatMap((c) => CLASS_SUITES[c]));
  if (!suites.size) return [];
  const own = (q.casesOn.get(ref) ?? [])
    .filter((c) => suites.has(c.suite))
    .map((c) => (ref === host ? c.id : `${c.id.slice(0, c.id.length - ref.length)}${host}`));
  const cross = ref === host ? (q.involving.get(host) ?? []).filter((c) => suites.has(c.suite)).map((c) => c.id) : [];
  return [...new Set([...own, ...cross])];
}

/** A `--grep` regular expression that selects exactly these case ids (matched against "<id> <title>"). */
export function grepFor(ids: readonly string[]): string {
  return `^(?:${ids.map(escapeRegExp).join('|')})\\s`;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** POSIX shell single quotes (a word of safe characters stays bare). */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command that re-runs exactly these cases. */
export function rerunCommand(base: { lab: string; plan: string }, ids: readonly string[]): string {
  return `hwqual run --lab ${shellWord(base.lab)} --plan ${shellWord(base.plan)} --grep ${shellWord(grepFor(ids))}`;
}
