import type { PlannedCases } from './coverage.ts';
import type { HostFacts } from './facts.ts';
import type { CaseStatus, Severity } from './status.ts';

export interface AssertionRecord {
  name: string;
  passed: boolean;
  expected?: string;
  actual?: string;
  message?: string;
}

export interface ArtifactRecord {
  name: string;
  /** Path relative to the run's output folder. */
  path: string;
  bytes: number;
}

/** A small chart a case carries as plain data (the HTML report draws it as inline SVG): e.g. a migration's passes. */
export interface CaseChart {
  /** `bars` (default): one labelled bar per point. `strip`: one dot per point, a row per label (e.g. a direction). */
  kind?: 'bars' | 'strip';
  title: string;
  /** Unit of the values (`MiB`, `MiB/s`). */
  unit: string;
  points: Array<{ label: string; value: number }>;
  /**
   * Strip plots: marks on the value axis — with `series`, a tick on that row (p50, p99); without, a line across
   * every row (a gate's bound).
   */
  marks?: Array<{ label: string; value: number; series?: string }>;
}

/** One measurement of a repeated figure (a migration hop): its value, direction and run (1-based). */
export interface Sample {
  value: number;
  from: string;
  to: string;
  run: number;
}

export interface CaseResult {
  /** Stable id: `<suite>/<case>[@param=value…]@<host>`. */
  id: string;
  suite: string;
  caseId: string;
  title: string;
  host: string;
  params: Record<string, string>;
  tags: string[];
  severity: Severity;
  status: CaseStatus;
  message?: string;
  errorCode?: string;
  expected?: string;
  actual?: string;
  startedAt?: string;
  durationMs: number;
  attempts: number;
  assertions: AssertionRecord[];
  artifacts: ArtifactRecord[];
  /** Path (relative to the output folder) of the command transcript. */
  transcript?: string;
  /** Numeric figures (downtime, throughput…) for reports and baseline diffs. */
  metrics: Record<string, number>;
  /** Charts of the case's own series (ctx.chart), drawn inline by the HTML report. */
  charts?: CaseChart[];
  /** Every measurement of a repeated figure (`migration.repeat`), by figure name: what summaries and baselines use. */
  samples?: Record<string, Sample[]>;
  /** Set when the host was a replayed or assembled profile, not a live host. */
  replayed?: boolean;
  /** Set by the sign-off when a waiver turned a failed/error case into `waived`; `status` is what it was before. */
  waiver?: { reason: string; ticket?: string; expires?: string; status?: 'failed' | 'error' };
}

export interface HostResult {
  name: string;
  address: string;
  transport: string;
  labels: Record<string, string>;
  facts: HostFacts;
  reachable: boolean;
  error?: string;
  /** Replayed hosts: the profile folder, and how the profile was made (recorded / assembled from public dumps). */
  replay?: { from: string; origin: string };
}

export interface RunSummary {
  total: number;
  passed: number;
  failed: number;
  error: number;
  skipped: number;
  flaky: number;
  cancelled: number;
  waived: number;
}

export interface RunMeta {
  plan: string;
  startedAt: string;
  endedAt: string;
  harnessVersion: string;
  gitCommit: string | null;
  labFile: string;
  labSha256: string;
  planFile: string;
  planSha256: string;
  argv: string[];
  interrupted: boolean;
  shard?: { index: number; total: number };
  /**
   * The suite × host cells the plan selected (before sharding: the cells of this shard). The verdict checks each ran.
   */
  planned?: Array<{ suite: string; host: string }>;
  /**
   * Every case the plan expands to before filters (for a shard: its groups' cases; merged: all shards'). Fewer
   * cases in the results than planned makes the verdict `incomplete`. Absent in results of older harness versions.
   */
  plannedCases?: PlannedCases;
  /** sha256 of the waivers file applied (sign-off). */
  waiversFile?: string;
  waiversSha256?: string;
  /** Shard runs merged into this one (`hwqual merge`). */
  mergedFrom?: Array<{ dir: string; shard?: { index: number; total: number }; startedAt: string; endedAt: string }>;
}

/** The release sign-off (src/report/signoff.ts): verdict, waivers, baseline diff. Plain data. */
export interface SignoffVerdict {
  verdict: 'qualified' | 'conditional' | 'incomplete' | 'not-qualified';
  /** Exit code of the verdict: 0 qualified, 3 conditional, 4 incomplete, 1 not-qualified. */
  exitCode: number;
  /** How many of the planned cases reached a result (not cancelled), when the plan's cases are known. */
  coverage?: { ran: number; planned: number };
  reasons: string[];
  /** The instant waiver expiry was judged at (run start, unless `--now`). */
  judgedAt: string;
}

/** One entry of a waivers file (validated by src/config/schemas/waivers.schema.json). */
export interface Waiver {
  /** Globs (`*`, `?`) on the suite name, the case id and the host name; a missing key matches anything. */
  match: { suite?: string; case?: string; host?: string };
  reason: string;
  ticket?: string;
  /** YYYY-MM-DD, the last day (UTC) the waiver applies. */
  expires: string;
  /** Also waive `error` cases (lab faults), not only `failed`. */
  errors?: boolean;
}

export interface WaiverRecord extends Waiver {
  /** applied: waived ≥1 case; unused: matched nothing; expired: past its date at judgedAt. */
  state: 'applied' | 'unused' | 'expired';
  /** Ids of the cases it waived (applied) or would have matched (expired). */
  cases: string[];
}

export interface BaselineDiff {
  file: string;
  baselineStartedAt: string;
  baselineVerdict?: string;
  newFailures: string[];
  fixed: string[];
  stillFailing: string[];
  added: string[];
  removed: string[];
  /**
   * Numeric figures that moved by more than the threshold (relative change). `method` absent or `single values`:
   * one value each side. `mann-whitney`: the figure's samples (≥ 5 each side, one direction): before/after are the
   * medians, `p` the exact two-sided Mann–Whitney U test's, `n` the sample counts.
   */
  metrics: Array<{
    caseId: string;
    metric: string;
    before: number;
    after: number;
    change: number;
    method?: 'single values' | 'mann-whitney';
    p?: number;
    n?: [number, number];
  }>;
  threshold: number;
}

export interface RunResults {
  schemaVersion: 1;
  run: RunMeta;
  hosts: HostResult[];
  cases: CaseResult[];
  summary: RunSummary;
  signoff?: SignoffVerdict;
  waivers?: WaiverRecord[];
  baseline?: BaselineDiff;
}

/**
 * The cases of a run, in order: an array, or cases kept on disk (the run's case log, a results.json) read again for
 * each pass, one case at a time, so a run of 10,000 hosts never holds its 300,000 cases at once. Iterate it (each
 * `for … of` is a new pass); do not index it.
 */
export interface Cases extends Iterable<CaseResult> {
  readonly length: number;
  /**
   * The set hash of the cases' ids (coverage.ts), when known without reading them (a run that ran every planned
   * case): the verdict then need not hash 300,000 ids again.
   */
  readonly idsHash?: string;
  /**
   * Each case's JSON text as results.json lays it out (caseJsonText) with its status, read without parsing (a run's
   * case log offers it): the results.json writer copies these instead of parsing and stringifying 300,000 cases
   * again.
   */
  texts?(): Iterable<CaseText>;
}

/**
 * A case's JSON text as results.json lays it out (caseJsonText), or that text's UTF-8 bytes (a view valid until the
 * next case is asked for: copy it out), and its status.
 */
export interface CaseText {
  status: CaseStatus;
  text: string | Uint8Array;
}

/**
 * A case's JSON text as results.json lays it out: `JSON.stringify(results, null, 2)`'s text of the case as an
 * element of the top-level `cases` array (its first line unindented, every later line 4 spaces further in than
 * JSON.stringify(case, null, 2) puts it). The case is stringified two arrays deep, so JSON.stringify itself does the
 * indenting (as fast as the compact text; re-laying out compact text in JS cost 3× that), and the arrays' brackets
 * are cut off.
 */
export function caseJsonText(c: CaseResult): string {
  return JSON.stringify([[c]], null, 2).slice(NESTED_OPEN, -NESTED_CLOSE);
}

/** `[\n  [\n    ` and `\n  ]\n]`: what JSON.stringify([[x]], null, 2) puts around x. */
const NESTED_OPEN = 10;
const NESTED_CLOSE = 6;

/**
 * The cases of `source` through `map`, one at a time on each pass (ids unchanged: the set hash carries over). When
 * the source offers its texts, so does the result: `keeps(status)` says which cases `map` leaves exactly as they
 * are (their text is passed through); the others are parsed, mapped and stringified.
 */
export function mapCases(
  source: Cases,
  map: (c: CaseResult) => CaseResult,
  keeps?: (status: CaseStatus) => boolean,
): Cases {
  const texts = source.texts?.bind(source);
  return {
    length: source.length,
    ...(source.idsHash && { idsHash: source.idsHash }),
    *[Symbol.iterator]() {
      for (const c of source) yield map(c);
    },
    ...(texts &&
      keeps && {
        *texts() {
          for (const t of texts()) {
            if (keeps(t.status)) yield t;
            else {
              const c = map(JSON.parse(typeof t.text === 'string' ? t.text : utf8(t.text)) as CaseResult);
              yield { status: c.status, text: caseJsonText(c) };
            }
          }
        },
      }),
  };
}

function utf8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/**
 * RunResults whose cases may live on disk (see Cases): what the sign-off, the reporters, `hwqual report` and
 * `hwqual merge` read. RunResults (cases in an array) is one.
 */
export interface RunRecord extends Omit<RunResults, 'cases'> {
  cases: Cases;
}

export function summarize(cases: Iterable<CaseResult>): RunSummary {
  const s: RunSummary = {
    total: 0,
    passed: 0,
    failed: 0,
    error: 0,
    skipped: 0,
    flaky: 0,
    cancelled: 0,
    waived: 0,
  };
  for (const c of cases) {
    s.total++;
    s[c.status]++;
  }
  return s;
}
