import type { CaseResult, HostResult, RunRecord } from '../model/result.ts';
import { STATUS_TABLE } from './verdict.ts';
import { element, open } from './xml-writer.ts';
import { truncateText } from './xml-text.ts';

/**
 * junit.xml, valid against the Jenkins xunit schema (fixtures/schemas/junit-jenkins.xsd): one
 * <testsuite name="<suite>@<host>"> per suite × host, its <properties> holding the host's facts and the case metrics
 * (the schema allows <properties> on <testsuite> only) and `transcripts` (the host's transcript file), one
 * <testcase classname="<suite>.<host>"> per case, with <system-out> (its transcript) when it did not pass. Statuses
 * map to JUnit forms through STATUS_TABLE (verdict.ts): <failure>, <error> or <skipped message>, plus <flakyFailure>
 * for a case that passed on a retry. Written in pieces as the cases are read (one pass; cases on disk are held a
 * suite × host group at a time), so a run of 300,000 cases is never one string or one document tree.
 * XML-forbidden characters are removed and values escaped by xml-writer.ts.
 */
export interface JunitOptions {
  /**
   * A case's transcript text (see transcripts.ts), undefined when there is none. Without it, <system-out> is left
   * out. The builder itself does no I/O.
   */
  transcript?: (c: CaseResult) => string | undefined;
  /** Longest transcript text put in one <system-out> (default 64 KiB of characters); the file keeps it all. */
  maxOutputChars?: number;
}

export function buildJunit(results: RunRecord, options: JunitOptions = {}): string {
  return [...junitPieces(results, options)].join('');
}

/** junit.xml in pieces (see buildJunit). */
export function* junitPieces(results: RunRecord, options: JunitOptions = {}): Generator<string> {
  const s = results.summary;
  const coverage = coverageReason(results);
  const extra = coverage ? 1 : 0;
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `${open('testsuites', [
    ['name', results.run.plan],
    ['tests', s.total + extra],
    ['failures', s.failed],
    ['errors', s.error + s.cancelled],
    ['skipped', s.skipped + s.waived + extra],
  ])}>\n`;
  const hosts = new Map(results.hosts.map((h) => [h.name, h]));
  const verdict = verdictProperties(results);
  const groups = Array.isArray(results.cases)
    ? groupBySuiteAndHost(results.cases).entries()
    : contiguousGroups(results.cases);
  for (const [key, group] of groups) yield suiteXml(key, group, hosts.get(group[0]!.host), verdict, options);
  if (coverage) yield coverageSuite(coverage, verdict);
  yield '</testsuites>\n';
}

function suiteXml(
  name: string,
  cases: readonly CaseResult[],
  host: HostResult | undefined,
  verdict: Array<[string, string]>,
  options: JunitOptions,
): string {
  let startedAt: string | undefined;
  let ms = 0;
  const counts = { failure: 0, error: 0, skipped: 0 };
  for (const c of cases) {
    ms += c.durationMs;
    if (c.startedAt && (startedAt === undefined || c.startedAt < startedAt)) startedAt = c.startedAt;
    const form = STATUS_TABLE[c.status].junit;
    if (form !== 'testcase') counts[form]++;
  }
  const props = hostProperties(host, cases[0]!.host);
  const file = transcriptFile(cases);
  if (file) props.push(['transcripts', file]);
  for (const c of cases)
    for (const [metric, value] of Object.entries(c.metrics))
      props.push([`metric.${caseLabel(c)}.${metric}`, String(value)]);
  props.push(...verdict);
  let out = `  ${open('testsuite', [
    ['name', name],
    ['time', seconds(ms)],
    ['timestamp', startedAt],
    ['tests', cases.length],
    ['failures', counts.failure],
    ['errors', counts.error],
    ['skipped', counts.skipped],
  ])}>\n`;
  out += propertiesXml(props);
  for (const c of cases) out += caseXml(c, options);
  return `${out}  </testsuite>\n`;
}

function propertiesXml(props: Array<[string, string]>): string {
  if (!props.length) return '';
  let out = '    <properties>\n';
  for (const [name, value] of props)
    out += element('      ', 'property', [
      ['name', name],
      ['value', value],
    ]);
  return `${out}    </properties>\n`;
}

/** Every <testsuite> says the run's verdict and, when known, how many planned cases ran. */
function verdictProperties(results: RunRecord): Array<[string, string]> {
  const s = results.signoff;
  if (!s) return [];
  const props: Array<[string, string]> = [['hwqual.verdict', s.verdict]];
  if (s.coverage) props.push(['hwqual.coverage', `${s.coverage.ran} of ${s.coverage.planned} planned cases ran`]);
  return props;
}

function coverageReason(results: RunRecord): string | undefined {
  return results.signoff?.reasons.find((r) => r.startsWith('incomplete:'));
}

/**
 * A run that did not run every planned case (or a shard alone) gets one more <testsuite name="hwqual@plan"> whose
 * one <testcase name="plan coverage"> is <skipped message="incomplete: N of M planned cases ran; not a sign-off">:
 * CI pages that show only test counts still show that this was not the whole plan.
 */
function coverageSuite(reason: string, verdict: Array<[string, string]>): string {
  return (
    `  ${open('testsuite', [
      ['name', 'hwqual@plan'],
      ['time', 0],
      ['tests', 1],
      ['failures', 0],
      ['errors', 0],
      ['skipped', 1],
    ])}>\n${propertiesXml(verdict)}` +
    `    ${open('testcase', [
      ['classname', 'hwqual.plan'],
      ['name', 'plan coverage'],
      ['time', 0],
    ])}>\n${element('      ', 'skipped', [['message', reason]])}    </testcase>\n  </testsuite>\n`
  );
}

/**
 * The suite × host groups of cases read from disk, one at a time: in plan order a group's cases are next to each
 * other (a merge keeps each shard's whole groups together), so only the group being read is held. A group that
 * came back later (hand-made results) would be written as a second <testsuite> of the same name.
 */
function* contiguousGroups(cases: Iterable<CaseResult>): Generator<[string, CaseResult[]]> {
  let group: CaseResult[] = [];
  let key = '';
  for (const c of cases) {
    const k = `${c.suite}@${c.host}`;
    if (group.length && k !== key) {
      yield [key, group];
      group = [];
    }
    key = k;
    group.push(c);
  }
  if (group.length) yield [key, group];
}

/** suite × host groups in order of first appearance, so the file reads in run order. */
export function groupBySuiteAndHost(cases: Iterable<CaseResult>): Map<string, CaseResult[]> {
  const groups = new Map<string, CaseResult[]>();
  for (const c of cases) {
    const key = `${c.suite}@${c.host}`;
    const list = groups.get(key);
    if (list) list.push(c);
    else groups.set(key, [c]);
  }
  return groups;
}

/** The one transcript file the group's cases name (a host's file), if they share one. */
function transcriptFile(cases: readonly CaseResult[]): string | undefined {
  let file: string | undefined;
  for (const c of cases) {
    if (!c.transcript) continue;
    if (file !== undefined && c.transcript !== file) return undefined;
    file = c.transcript;
  }
  return file;
}

/** `<caseId>[k=v,…]`: the params keep matrix cases (image, CPU model…) apart. */
export function caseLabel(c: Pick<CaseResult, 'caseId' | 'params'>): string {
  const params = Object.entries(c.params);
  return params.length ? `${c.caseId}[${params.map(([k, v]) => `${k}=${v}`).join(',')}]` : c.caseId;
}

/** The <testcase name>: `<caseId>[k=v,…]: <title>`. */
export function junitCaseName(c: Pick<CaseResult, 'caseId' | 'params' | 'title'>): string {
  return `${caseLabel(c)}: ${c.title}`;
}

function hostProperties(host: HostResult | undefined, hostName: string): Array<[string, string]> {
  const f = host?.facts ?? {};
  const os = f.os?.prettyName ?? [f.os?.id, f.os?.versionId].filter(Boolean).join(' ');
  const bios = [f.dmi?.biosVendor, f.dmi?.biosVersion, f.dmi?.biosDate].filter(Boolean).join(' ');
  const props: Array<[string, string | number | undefined]> = [
    ['host', hostName],
    ['address', host?.address],
    ['transport', host?.transport],
    ['os', os || undefined],
    ['kernel', f.kernel?.release],
    ['arch', f.arch],
    ['cpu', f.cpu?.modelName],
    ['cpu.microcode', f.cpu?.microcode],
    ['product', f.dmi?.productName],
    ['bios', bios || undefined],
    ['qemu', f.qemu?.version],
    ['libvirt', f.libvirt?.version],
  ];
  if (host && !host.reachable) props.push(['unreachable', host.error ?? 'unreachable']);
  for (const [k, v] of Object.entries(host?.labels ?? {})) props.push([`label.${k}`, v]);
  if (host?.replay) props.push(['replayed-from', host.replay.from], ['replay-origin', host.replay.origin]);
  return props
    .filter((p): p is [string, string | number] => p[1] !== undefined && p[1] !== '')
    .map(([k, v]) => [k, String(v)]);
}

function caseXml(c: CaseResult, options: JunitOptions): string {
  const head = open('testcase', [
    ['classname', `${c.suite}.${c.host}`],
    ['name', junitCaseName(c)],
    ['time', seconds(c.durationMs)],
  ]);
  let children = '';
  const form = STATUS_TABLE[c.status].junit;
  const pad = '      ';
  if (form === 'failure') {
    children += element(
      pad,
      'failure',
      [
        ['message', c.message ?? 'failed'],
        ['type', 'assertion'],
      ],
      failureBody(c),
    );
  } else if (form === 'error') {
    const type = c.errorCode ?? (c.status === 'cancelled' ? 'E_CANCELLED' : 'E_INTERNAL');
    children += element(
      pad,
      'error',
      [
        ['message', c.message ?? c.status],
        ['type', type],
      ],
      failureBody(c),
    );
  } else if (form === 'skipped') {
    const message = c.status === 'waived' ? waivedMessage(c) : (c.message ?? 'skipped');
    children += element(pad, 'skipped', [['message', message]]);
  }
  if (c.status === 'flaky') {
    children += element(pad, 'flakyFailure', [
      ['type', c.errorCode ?? 'flaky'],
      ['message', `passed on attempt ${c.attempts}${c.message ? `: ${c.message}` : ''}`],
    ]);
  }
  // Only a case that did not pass carries its transcript inline: at thousands of hosts, passing cases' output would
  // make most of the file. Every transcript stays in the host's file (the suite's `transcripts` property).
  const transcript = c.transcript && c.status !== 'passed' ? options.transcript?.(c) : undefined;
  if (transcript)
    children += element(pad, 'system-out', [], truncateText(transcript, options.maxOutputChars ?? 65_536));
  return children ? `    ${head}>\n${children}    </testcase>\n` : `    ${head}/>\n`;
}

export function waivedMessage(c: Pick<CaseResult, 'waiver' | 'message'>): string {
  const w = c.waiver;
  if (!w) return `waived${c.message ? `: ${c.message}` : ''}`;
  return `waived: ${[w.ticket, w.reason].filter(Boolean).join(' ')}${w.expires ? ` (until ${w.expires})` : ''}`;
}

/**
 * The message, expected vs actual, then every assertion that did not hold ('' when there is nothing beyond the
 * message).
 */
function failureBody(c: CaseResult): string {
  const lines: string[] = [];
  if (c.expected !== undefined) lines.push(`expected: ${c.expected}`);
  if (c.actual !== undefined) lines.push(`actual:   ${c.actual}`);
  for (const a of c.assertions.filter((x) => !x.passed)) {
    const detail = [
      a.expected !== undefined ? `expected ${a.expected}` : '',
      a.actual !== undefined ? `actual ${a.actual}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(`✗ ${a.name}${detail ? `: ${detail}` : ''}${a.message ? ` (${a.message})` : ''}`);
  }
  if (!lines.length) return '';
  return [c.message, ...lines].filter(Boolean).join('\n');
}

/** Seconds rounded to milliseconds: the schema's time type allows at most 3 decimals. */
function seconds(ms: number): number {
  return Math.round(Math.max(0, ms)) / 1000;
}
