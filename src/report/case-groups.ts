import type { ArtifactRecord, AssertionRecord, CaseResult } from '../model/result.ts';
import type { CaseStatus, Severity } from '../model/status.ts';
import { caseLabel } from './junit.ts';

/** How many hosts of a group the reports name with their links; the rest are listed by name, collapsed. */
export const SHOWN_HOSTS = 10;

/**
 * Identical outcomes of one case on many hosts, said once: the same suite, case (with its params), status,
 * severity, message, error code, expected vs actual, failed assertions and waiver. One vulnerability on 100 hosts
 * is one group listing the 100 hosts, not 100 cards.
 */
export interface CaseGroup {
  status: CaseStatus;
  severity: Severity;
  suite: string;
  /** `<caseId>[k=v,…]`. */
  label: string;
  title: string;
  message?: string;
  errorCode?: string;
  expected?: string;
  actual?: string;
  /** The assertions that did not hold. */
  assertions: AssertionRecord[];
  waiver?: CaseResult['waiver'];
  /** Every host, in run order. */
  hosts: string[];
  /** The first SHOWN_HOSTS cases' ids and links (transcript, artifacts). */
  shown: Array<{ id: string; host: string; transcript?: string; artifacts: ArtifactRecord[] }>;
}

export class CaseGrouper {
  private readonly groups = new Map<string, CaseGroup>();
  cases = 0;

  add(c: CaseResult): void {
    this.cases++;
    const missed = c.assertions.filter((a) => !a.passed);
    const label = caseLabel(c);
    const key = [
      c.status,
      c.severity,
      c.suite,
      label,
      c.title,
      c.message ?? '',
      c.errorCode ?? '',
      c.expected ?? '\u0001',
      c.actual ?? '\u0001',
      missed.length ? JSON.stringify(missed) : '',
      c.waiver ? JSON.stringify(c.waiver) : '',
    ].join('\u0000');
    let g = this.groups.get(key);
    if (!g) {
      g = {
        status: c.status,
        severity: c.severity,
        suite: c.suite,
        label,
        title: c.title,
        assertions: missed,
        hosts: [],
        shown: [],
      };
      if (c.message !== undefined) g.message = c.message;
      if (c.errorCode !== undefined) g.errorCode = c.errorCode;
      if (c.expected !== undefined) g.expected = c.expected;
      if (c.actual !== undefined) g.actual = c.actual;
      if (c.waiver) g.waiver = c.waiver;
      this.groups.set(key, g);
    }
    g.hosts.push(c.host);
    if (g.shown.length < SHOWN_HOSTS)
      g.shown.push({
        id: c.id,
        host: c.host,
        ...(c.transcript && { transcript: c.transcript }),
        artifacts: c.artifacts,
      });
  }

  /** Blockers before majors before minors, then the groups on most hosts, then by case. */
  list(): CaseGroup[] {
    const rank = { blocker: 0, major: 1, minor: 2 } as const;
    return [...this.groups.values()].sort(
      (a, b) =>
        rank[a.severity] - rank[b.severity] ||
        b.hosts.length - a.hosts.length ||
        `${a.suite}/${a.label}`.localeCompare(`${b.suite}/${b.label}`),
    );
  }
}

/** `suite/label` and the host when there is one: what a group is called. */
export function groupName(g: Pick<CaseGroup, 'suite' | 'label' | 'hosts'>): string {
  return g.hosts.length === 1 ? `${g.suite}/${g.label}@${g.hosts[0]}` : `${g.suite}/${g.label}`;
}
