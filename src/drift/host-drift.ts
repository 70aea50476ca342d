import type { HostFacts } from '../model/facts.ts';
import { affectedCaseIds, grepFor, rerunCommand } from './affected.ts';
import { DRIFT_CLASSES, type DriftClass } from './classes.ts';
import { compareFacts, type DriftNote, type DriftRow } from './compare.ts';
import type { QualifiedRun } from './qualified.ts';
import { referenceFor } from './reference.ts';

/** What drift found on one host: the artifact drift.json, the case's table and message. Plain data. */
export interface HostDrift {
  host: string;
  qualifiedRun: string;
  /** The qualified host compared with (the host itself, or a same-hardware sibling). */
  reference?: { host: string; how: string };
  /** Set when there is nothing to compare with. */
  neverQualified?: string;
  rows: DriftRow[];
  notes: DriftNote[];
  /** The classes that make the host not qualified: changed or unverifiable facts, cosmetic ones aside. */
  classes: DriftClass[];
  /** The qualified run's case ids to re-run, the --grep that selects them, and the whole command. */
  affected: string[];
  grep?: string;
  rerun?: string;
}

export interface DriftOptions {
  /** --lab and --plan of the re-run command, as the operator gave them (or a placeholder for the plan). */
  rerun: { lab: string; plan: string };
  /**
   * Set for a lab-in-a-box host (it shares this machine's kernel): what its root is now. An unchanged kernel next
   * to a changed host OS is then explained, not taken for a finding.
   */
  sharedKernelRoot?: string;
}

export function hostDrift(
  q: QualifiedRun,
  host: { name: string; labels: Record<string, string>; facts: HostFacts },
  o: DriftOptions,
): HostDrift {
  const base = { host: host.name, qualifiedRun: q.file };
  const ref = referenceFor(q, host.name, host.labels);
  if (!ref.host) return { ...base, neverQualified: ref.why, rows: [], notes: [], classes: [], affected: [] };
  const { rows, notes } = compareFacts(ref.host.facts, host.facts);
  if (o.sharedKernelRoot !== undefined) notes.push(...sharedKernelNote(rows, host.facts, o.sharedKernelRoot));
  const failing = new Set(rows.filter((r) => r.class !== 'cosmetic').map((r) => r.class));
  const classes = DRIFT_CLASSES.filter((c) => failing.has(c));
  const affected = affectedCaseIds(q, ref.host.name, host.name, classes);
  return {
    ...base,
    reference: { host: ref.host.name, how: ref.how },
    rows,
    notes,
    classes,
    affected,
    ...(affected.length && { grep: grepFor(affected), rerun: rerunCommand(o.rerun, affected) }),
  };
}

function sharedKernelNote(rows: DriftRow[], now: HostFacts, root: string): DriftNote[] {
  const release = now.kernel?.release;
  const kernelChanged = rows.some((r) => r.fact.startsWith('kernel.release'));
  const stackChanged = rows.some(
    (r) => r.class === 'hypervisor' && r.kind === 'changed' && !r.fact.startsWith('kernel.'),
  );
  if (!release || kernelChanged || !stackChanged) return [];
  return [
    {
      fact: 'kernel.release',
      class: 'hypervisor',
      text:
        `unchanged (${release}) although the host OS changed: lab-in-a-box hosts share this machine's kernel, ` +
        `only the host's root changes (now ${root})`,
      explains: true,
    },
  ];
}
