import type { FactGroup, FactSelection } from '../config/types.ts';
import { HwqualError } from '../model/errors.ts';
import type { HostFacts } from '../model/facts.ts';
import { FACT_COMMANDS, FACT_GROUPS, type FactCommand } from '../probe/host-facts.ts';

/** The fact commands by group (src/probe/host-facts.ts), for a plan's `facts:` and `hwqual run --facts`. */
export { FACT_GROUPS };

export const FACT_GROUP_NAMES = Object.keys(FACT_GROUPS) as FactGroup[];

/**
 * Which group each fact of HostFacts comes from (what a suite declares when it reads it). `extra` holds facts of
 * several groups (EXTRA_FACT_GROUPS) and the run's own notes (unavailable, factsNotGathered, what cases recorded).
 */
export const FACT_FIELD_GROUPS: Readonly<Record<Exclude<keyof HostFacts, 'extra'>, FactGroup>> = {
  arch: 'identity',
  hostname: 'identity',
  os: 'identity',
  kernel: 'identity',
  cpu: 'cpu',
  memory: 'memory',
  numaNodes: 'memory',
  dmi: 'firmware',
  vulnerabilities: 'security',
  kvm: 'virt',
  qemu: 'virt',
  libvirt: 'virt',
  iommu: 'virt',
  openssh: 'virt',
  cryptsetup: 'security',
  virtualised: 'virt',
};
export const EXTRA_FACT_GROUPS: Readonly<Record<string, FactGroup>> = {
  iommuCmdline: 'identity',
  xtsAes: 'security',
};

/**
 * `auto` → the groups to gather for these suites: identity (the reports name each host's OS and kernel) and every
 * group a suite declares it reads; `all` when a suite does not declare (nothing says what it reads). Other
 * selections are returned as they are. Absent = auto.
 */
export function resolveFactSelection(
  selection: FactSelection | undefined,
  suites: ReadonlyArray<{ facts?: readonly FactGroup[] }>,
): Exclude<FactSelection, 'auto'> {
  if (selection !== undefined && selection !== 'auto') return selection;
  if (suites.some((s) => !s.facts)) return 'all';
  const wanted = new Set<FactGroup>(['identity', ...suites.flatMap((s) => s.facts ?? [])]);
  return FACT_GROUP_NAMES.filter((g) => wanted.has(g));
}

/** The fact commands a selection asks for, in FACT_COMMANDS order (absent selection = all). */
export function factCommandsFor(selection: Exclude<FactSelection, 'auto'> | undefined): FactCommand[] {
  if (selection === undefined || selection === 'all') return [...FACT_COMMANDS];
  if (selection === 'none') return [];
  const wanted = new Set(selection.flatMap((g) => FACT_GROUPS[g]));
  return FACT_COMMANDS.filter((c) => wanted.has(c));
}

/** The groups a selection leaves out (for the report: facts not asked for are not missing). */
export function factGroupsSkipped(selection: Exclude<FactSelection, 'auto'> | undefined): FactGroup[] {
  if (selection === undefined || selection === 'all') return [];
  if (selection === 'none') return [...FACT_GROUP_NAMES];
  return FACT_GROUP_NAMES.filter((g) => !selection.includes(g));
}

/** `auto`, `all`, `none` or `identity,cpu` (a CLI value) → a selection; an unknown group is E_USAGE. */
export function parseFactSelection(value: string): FactSelection {
  const v = value.trim();
  if (v === 'auto' || v === 'all' || v === 'none') return v;
  const groups = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = groups.filter((g) => !(FACT_GROUP_NAMES as string[]).includes(g));
  if (!groups.length || unknown.length) {
    throw new HwqualError(
      'E_USAGE',
      `--facts: expected auto, all, none or a comma-separated list of ${FACT_GROUP_NAMES.join(', ')}` +
        (unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''),
    );
  }
  return [...new Set(groups)] as FactGroup[];
}
