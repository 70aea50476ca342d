import junitReportBuilderModule from 'junit-report-builder';
import type { Builder, TestCase, TestSuite } from 'junit-report-builder';
import type { CaseResult, HostResult, RunResults } from '../model/result.ts';
import { patchCase, type CaseExtras } from './junit-patch.ts';
import { STATUS_TABLE } from './verdict.ts';
import { stripXmlForbidden, truncateText } from './xml-text.ts';

/**
 * junit.xml, valid against the Jenkins xunit schema (fixtures/schemas/junit-jenkins.xsd), written by
 * junit-report-builder: one <testsuite name="<suite>@<host>"> per suite × host, its <properties> holding the host's
 * facts and the case metrics (the schema allows <properties> on <testsuite> only) and `transcripts` (the host's
 * transcript file), one <testcase classname="<suite>.<host>"> per case, with <system-out> (its transcript) when it
 * did not pass. Statuses map to JUnit forms through STATUS_TABLE (verdict.ts): <failure>, <error> or <skipped
 * message>, plus <flakyFailure> for a case that passed on a retry (what the library cannot write: junit-patch.ts).
 * The library counts tests/failures/errors/skipped and escapes; XML-forbidden characters are removed first
 * (xml-text.ts).
 */
/**
 * The package is CommonJS (`module.exports = builder`): under Node's ESM the default import IS the builder, while
 * its .d.ts (`export default`) makes TypeScript see a namespace. Say once what it is at run time.
 */
const rootBuilder = junitReportBuilderModule as unknown as Builder;

export interface JunitOptions {
  /**
   * A case's transcript text (see transcripts.ts), undefined when there is none. Without it, <system-out> is left
   * out. The builder itself does no I/O.
   */
  transcript?: (c: CaseResult) => string | undefined;
  /** Longest transcript text put in one <system-out> (default 64 KiB of characters); the file keeps it all. */
  maxOutputChars?: number;
}

export function buildJunit(results: RunResults, options: JunitOptions = {}): string {
  const builder = rootBuilder.newBuilder().name(clean(results.run.plan));
  const hosts = new Map(results.hosts.map((h) => [h.name, h]));
  for (const [key, cases] of groupBySuiteAndHost(results.cases)) {
    const first = cases[0]!;
    let startedAt: string | undefined;
    let ms = 0;
    for (const c of cases) {
      ms += c.durationMs;
      if (c.startedAt && (startedAt === undefined || c.startedAt < startedAt)) startedAt = c.startedAt;
    }
    const suite = builder.testSuite().name(clean(key)).time(seconds(ms));
    if (startedAt) suite.timestamp(startedAt);
    const props = hostProperties(hosts.get(first.host), first.host);
    const file = transcriptFile(cases);
    if (file) props.push(['transcripts', file]);
    for (const c of cases)
      for (const [metric, value] of Object.entries(c.metrics))
        props.push([`metric.${caseLabel(c)}.${metric}`, String(value)]);
    props.push(...verdictProperties(results));
    for (const [name, value] of props) suite.property(clean(name), clean(value));
    for (const c of cases) addCase(suite, c, options);
  }
  addCoverageCase(builder, results);
  return `${builder.build()}\n`;
}

/** Every <testsuite> says the run's verdict and, when known, how many planned cases ran. */
function verdictProperties(results: RunResults): Array<[string, string]> {
  const s = results.signoff;
  if (!s) return [];
  const props: Array<[string, string]> = [['hwqual.verdict', s.verdict]];
  if (s.coverage) props.push(['hwqual.coverage', `${s.coverage.ran} of ${s.coverage.planned} planned cases ran`]);
  return props;
}

/**
 * A run that did not run every planned case (or a shard alone) gets one more <testsuite name="hwqual@plan"> whose one
 * <testcase
 * name="plan coverage"> is <skipped message="incomplete: N of M planned cases ran; not a sign-off">: CI pages that
 * show only test counts still show that this was not the whole plan.
 */
function addCoverageCase(builder: Builder, results: RunResults): void {
  const reason = results.signoff?.reasons.find((r) => r.startsWith('incomplete:'));
  if (!reason) return;
  const suite = builder.testSuite().name('hwqual@plan').time(0);
  for (const [name, value] of verdictProperties(results)) suite.property(name, value);
  const testCase = suite.testCase().className('hwqual.plan').name('plan coverage').time(0);
  testCase.skipped();
  patchCase(testCase, { skippedMessage: clean(reason) });
}

/** suite × host groups in order of first appearance, so the file reads in run order. */
export function groupBySuiteAndHost(cases: readonly CaseResult[]): Map<string, CaseResult[]> {
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

function addCase(suite: TestSuite, c: CaseResult, options: JunitOptions): void {
  const testCase: TestCase = suite
    .testCase()
    .className(clean(`${c.suite}.${c.host}`))
    .name(clean(junitCaseName(c)))
    .time(seconds(c.durationMs));
  const extras: CaseExtras = {};
  const form = STATUS_TABLE[c.status].junit;
  if (form === 'failure') {
    testCase.failure(clean(c.message ?? 'failed'), 'assertion');
    extras.body = failureBody(c);
  } else if (form === 'error') {
    const type = c.errorCode ?? (c.status === 'cancelled' ? 'E_CANCELLED' : 'E_INTERNAL');
    testCase.error(clean(c.message ?? c.status), clean(type));
    extras.body = failureBody(c);
  } else if (form === 'skipped') {
    testCase.skipped();
    extras.skippedMessage = c.status === 'waived' ? waivedMessage(c) : (c.message ?? 'skipped');
  }
  if (c.status === 'flaky') {
    extras.flaky = {
      type: c.errorCode ?? 'flaky',
      message: `passed on attempt ${c.attempts}${c.message ? `: ${c.message}` : ''}`,
    };
  }
  // Only a case that did not pass carries its transcript inline: at thousands of hosts, passing cases' output would
  // make most of the file. Every transcript stays in the host's file (the suite's `transcripts` property).
  const transcript = c.transcript && c.status !== 'passed' ? options.transcript?.(c) : undefined;
  if (transcript) extras.systemOut = truncateText(transcript, options.maxOutputChars ?? 65_536);
  patchCase(testCase, extras);
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

function clean(text: string): string {
  return stripXmlForbidden(text);
}
