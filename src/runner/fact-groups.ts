import type { FactGroup, FactSelection } from '../config/types.ts';
import { HwqualError } from '../model/errors.ts';
import { FACT_COMMANDS, FACT_GROUPS, type FactCommand } from '../probe/host-facts.ts';

/** The fact commands by group (src/probe/host-facts.ts), for a plan's `facts:` and `hwqual run --facts`. */
export { FACT_GROUPS };

export const FACT_GROUP_NAMES = Object.keys(FACT_GROUPS) as FactGroup[];

/** The fact commands a selection asks for, in FACT_COMMANDS order (absent selection = all). */
export function factCommandsFor(selection: FactSelection | undefined): FactCommand[] {
  if (selection === undefined || selection === 'all') return [...FACT_COMMANDS];
  if (selection === 'none') return [];
  const wanted = new Set(selection.flatMap((g) => FACT_GROUPS[g]));
  return FACT_COMMANDS.filter((c) => wanted.has(c));
}

/** The groups a selection leaves out (for the report: facts not asked for are not missing). */
export function factGroupsSkipped(selection: FactSelection | undefined): FactGroup[] {
  if (selection === undefined || selection === 'all') return [];
  if (selection === 'none') return [...FACT_GROUP_NAMES];
  return FACT_GROUP_NAMES.filter((g) => !selection.includes(g));
}

/** `all`, `none` or `identity,cpu` (a CLI value) → a selection; an unknown group is E_USAGE. */
export function parseFactSelection(value: string): FactSelection {
  const v = value.trim();
  if (v === 'all' || v === 'none') return v;
  const groups = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = groups.filter((g) => !(FACT_GROUP_NAMES as string[]).includes(g));
  if (!groups.length || unknown.length) {
    throw new HwqualError(
      'E_USAGE',
      `--facts: expected all, none or a comma-separated list of ${FACT_GROUP_NAMES.join(', ')}` +
        (unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''),
    );
  }
  return [...new Set(groups)] as FactGroup[];
}
