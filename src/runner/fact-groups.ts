import type { FactGroup, FactSelection } from '../config/types.ts';
import { HwqualError } from '../model/errors.ts';
import { FACT_COMMANDS, type FactCommand } from '../probe/host-facts.ts';

/**
 * The fact commands by group, so a plan (`facts:`) or `hwqual run --facts` can ask for only what its suites and
 * its report need. Every fact command is in exactly one group. Pure.
 */
export const FACT_GROUPS: Readonly<Record<FactGroup, readonly FactCommand[]>> = {
  /** arch, hostname, OS, kernel release and command line: who the host is, for the sign-off report. */
  identity: ['arch', 'hostname', 'osRelease', 'kernelRelease', 'cmdline'],
  /** CPU model, topology, flags, microcode. */
  cpu: ['cpuinfo', 'lscpuJson', 'microcode'],
  memory: ['meminfo', 'numaNodes'],
  /** DMI: system vendor, product, BIOS. */
  firmware: ['dmi'],
  /** CPU vulnerabilities and the kernel's crypto drivers. */
  security: ['vulnerabilities', 'crypto'],
  /** KVM device and module parameters, QEMU and libvirt versions, IOMMU groups. */
  virt: [
    'kvmDevice',
    'kvmIntelParams',
    'kvmAmdParams',
    'qemuX86',
    'qemuArm',
    'qemuKvm',
    'libvirtd',
    'virshVersion',
    'iommuGroups',
  ],
};

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
