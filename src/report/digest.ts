import type { CaseChart, CaseResult, RunRecord } from '../model/result.ts';
import type { CaseStatus } from '../model/status.ts';
import { CaseGrouper, type CaseGroup } from './case-groups.ts';
import { isCryptoCase } from './crypto-table.ts';
import { groupHosts, type LabelGroups } from './label-groups.ts';
import { MatrixTally } from './matrix.ts';

/**
 * What report.html and report.md show, gathered in ONE pass over the cases (a large run's cases are on disk): the
 * matrix's tallies, the cases grouped by identical outcome, the slowest cases and figures for the charts. What it
 * keeps is per host (a tally per host × suite) and per group (its hosts' names), never every case.
 */
export interface RunDigest {
  matrix: MatrixTally;
  /** The run's hosts, then any only the cases name. */
  hostNames: string[];
  /** The hosts in groups by a label (the matrix collapses them). */
  hostGroups: LabelGroups;
  failing: CaseGroup[];
  waived: CaseGroup[];
  flaky: CaseGroup[];
  skipped: CaseGroup[];
  count: Record<'failing' | 'waived' | 'flaky' | 'skipped', number>;
  slowest: Array<Pick<CaseResult, 'id' | 'status' | 'durationMs'>>;
  /** Per figure (metric), its first values. */
  metrics: Array<{ metric: string; bars: Array<{ label: string; value: number }> }>;
  /** Cases that carry charts of their own (e.g. a migration's passes). */
  caseCharts: Array<{ id: string; status: CaseStatus; charts: CaseChart[] }>;
  /** The encryption cases the "Encryption: host and guests" table reads (a few per host). */
  crypto: CaseResult[];
}

export interface DigestOptions {
  /** The label the matrix groups hosts by (default: label-groups.ts defaultGroupLabel). */
  groupBy?: string;
}

const SLOWEST = 25;
const BARS_PER_METRIC = 40;

/** Case digests made by the sign-off's pass (signoff.ts), by the results object they describe. */
const fromSignoff = new WeakMap<object, CaseDigest>();
const memo = new WeakMap<object, Map<string, RunDigest>>();

/**
 * The digest of these results, made once per results object and option (report.html and report.md share it): from
 * the sign-off's own pass over the cases when it made these results, else from a pass of its own.
 */
export function digestOf(results: RunRecord, options: DigestOptions = {}): RunDigest {
  const key = options.groupBy ?? '';
  let byOption = memo.get(results);
  if (!byOption) memo.set(results, (byOption = new Map()));
  let d = byOption.get(key);
  if (!d) {
    let cases = fromSignoff.get(results);
    if (!cases) {
      cases = new CaseDigest();
      for (const c of results.cases) cases.add(c);
    }
    byOption.set(key, (d = cases.finish(results, options)));
  }
  return d;
}

/** Keep the case digest the sign-off made in its pass, for the reports of `results`. */
export function rememberCaseDigest(results: RunRecord, digest: CaseDigest): void {
  fromSignoff.set(results, digest);
}

export function digestRun(results: RunRecord, options: DigestOptions = {}): RunDigest {
  const cases = new CaseDigest();
  for (const c of results.cases) cases.add(c);
  return cases.finish(results, options);
}

/** The case part of the digest, one case at a time. */
export class CaseDigest {
  private readonly matrix = new MatrixTally();
  private readonly grouper = {
    failing: new CaseGrouper(),
    waived: new CaseGrouper(),
    flaky: new CaseGrouper(),
    skipped: new CaseGrouper(),
  };
  private readonly slowest: RunDigest['slowest'] = [];
  private readonly metrics = new Map<string, Array<{ label: string; value: number }>>();
  private readonly caseCharts: RunDigest['caseCharts'] = [];
  private readonly crypto: CaseResult[] = [];

  add(c: CaseResult): void {
    this.matrix.add(c);
    const kind = KIND[c.status];
    if (kind) this.grouper[kind].add(c);
    keepSlowest(this.slowest, c);
    for (const metric in c.metrics) {
      let bars = this.metrics.get(metric);
      if (!bars) this.metrics.set(metric, (bars = []));
      if (bars.length < BARS_PER_METRIC) bars.push({ label: `${c.caseId}@${c.host}`, value: c.metrics[metric]! });
    }
    if (c.charts?.length) this.caseCharts.push({ id: c.id, status: c.status, charts: c.charts });
    if (isCryptoCase(c)) this.crypto.push(c);
  }

  finish(results: Pick<RunRecord, 'hosts'>, options: DigestOptions): RunDigest {
    const hostNames = this.matrix.hostNames(results.hosts);
    const g = this.grouper;
    return {
      matrix: this.matrix,
      hostNames,
      hostGroups: groupHosts(hostNames, results.hosts, options.groupBy),
      failing: g.failing.list(),
      waived: g.waived.list(),
      flaky: g.flaky.list(),
      skipped: g.skipped.list(),
      count: { failing: g.failing.cases, waived: g.waived.cases, flaky: g.flaky.cases, skipped: g.skipped.cases },
      slowest: this.slowest,
      metrics: [...this.metrics].map(([metric, bars]) => ({ metric, bars })),
      caseCharts: this.caseCharts,
      crypto: this.crypto,
    };
  }
}

/** Which list a case goes to: unwaived failed/error/cancelled first; passed cases to none. */
const KIND: Partial<Record<CaseStatus, 'failing' | 'waived' | 'flaky' | 'skipped'>> = {
  failed: 'failing',
  error: 'failing',
  cancelled: 'failing',
  waived: 'waived',
  flaky: 'flaky',
  skipped: 'skipped',
};

/** Keep the SLOWEST longest cases, longest first. */
function keepSlowest(list: RunDigest['slowest'], c: CaseResult): void {
  if (list.length === SLOWEST && c.durationMs <= list[list.length - 1]!.durationMs) return;
  let i = list.length;
  while (i > 0 && list[i - 1]!.durationMs < c.durationMs) i--;
  list.splice(i, 0, { id: c.id, status: c.status, durationMs: c.durationMs });
  if (list.length > SLOWEST) list.pop();
}
