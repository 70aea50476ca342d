import junitReportBuilderModule from 'junit-report-builder';
import type { Builder, TestCase, TestSuite } from 'junit-report-builder';
import type { CaseResult, HostResult, RunResults } from '../model/result.ts';
import { patchCase, type CaseExtras } from './junit-patch.ts';
import { STATUS_TABLE } from './verdict.ts';
import { stripXmlForbidden, truncateText } from './xml-text.ts';

/**
 * junit.xml, valid against the Jenkins xunit schema (/work/shared/schemas/junit-jenkins.xsd):
 * one <testsuite name="<suite>@<host>"> per suite × host, its <properties> holding the host's facts and the case
 * metrics (the schema allows <properties> on <testsuite> only), one <testcase classname="<suite>.<host>"> per case.
 * Statuses map to JUnit forms through STATUS_TABLE (verdict.ts).
 */
/**
 * The package is CommonJS (`module.exports = builder`): under Node's ESM the default import IS the builder, while
 * its .d.ts (`export default`) makes TypeScript see a namespace. Say once what it is at run time.
 */
const rootBuilder = junitReportBuilderModule as unknown as Builder;

export interface JunitOptions {
  /**
   * Reads a file of the run folder by its relative path (CaseResult.transcript); undefined when it is missing.
   * Without it, <system-out> is left out. The builder itself does no I/O.
   */
  readText?: (relPath: string) => string | undefined;
  /** Longest transcript text put in one <system-out> (default 64 KiB of characters); the file keeps it all. */
  maxOutputChars?: number;
}

export function buildJunit(results: RunResults, options: JunitOptions = {}): string {
  const builder = rootBuilder.newBuilder().name(clean(results.run.plan));
  const hosts = new Map(results.hosts.map((h) => [h.name, h]));
  for (const [key, cases] of groupBySuiteAndHost(results.cases)) {
    const first = cases[0]!;
    const suite = builder.testSuite().name(clean(key));
    suite.time(seconds(cases.reduce((sum, c) => sum + c.durationMs, 0)));
    const startedAt = cases.map((c) => c.startedAt).filter((t): t is string => !!t).sort()[0];
    if (startedAt) suite.timestamp(startedAt);
    addHostProperties(suite, hosts.get(first.host), first.host);
    for (const c of cases) addMetricProperties(suite, c);
    for (const c of cases) addCase(suite, c, options);
  }
  return builder.build();
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

/** `<caseId>[k=v,…]`: the params keep matrix cases (image, CPU model…) apart. */
export function caseLabel(c: Pick<CaseResult, 'caseId' | 'params'>): string {
  const params = Object.entries(c.params);
  return params.length ? `${c.caseId}[${params.map(([k, v]) => `${k}=${v}`).join(',')}]` : c.caseId;
}

/** The <testcase name>: `<caseId>[k=v,…]: <title>`. */
export function junitCaseName(c: Pick<CaseResult, 'caseId' | 'params' | 'title'>): string {
  return `${caseLabel(c)}: ${c.title}`;
}

function addHostProperties(suite: TestSuite, host: HostResult | undefined, hostName: string): void {
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
  for (const [name, value] of props) if (value !== undefined && value !== '') suite.property(clean(name), clean(String(value)));
}

function addMetricProperties(suite: TestSuite, c: CaseResult): void {
  for (const [metric, value] of Object.entries(c.metrics)) {
    suite.property(clean(`metric.${caseLabel(c)}.${metric}`), String(value));
  }
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
    extras.flaky = { type: c.errorCode ?? 'flaky', message: `passed on attempt ${c.attempts}${c.message ? `: ${c.message}` : ''}` };
  }
  const transcript = c.transcript ? options.readText?.(c.transcript) : undefined;
  if (transcript) extras.systemOut = truncateText(transcript, options.maxOutputChars ?? 65_536);
  patchCase(testCase, extras);
}

export function waivedMessage(c: Pick<CaseResult, 'waiver' | 'message'>): string {
  const w = c.waiver;
  if (!w) return `waived${c.message ? `: ${c.message}` : ''}`;
  return `waived: ${[w.ticket, w.reason].filter(Boolean).join(' ')}${w.expires ? ` (until ${w.expires})` : ''}`;
}

/** The message, expected vs actual, then every assertion that did not hold ('' when there is nothing beyond the message). */
function failureBody(c: CaseResult): string {
  const lines: string[] = [];
  if (c.expected !== undefined) lines.push(`expected: ${c.expected}`);
  if (c.actual !== undefined) lines.push(`actual:   ${c.actual}`);
  for (const a of c.assertions.filter((x) => !x.passed)) {
    const detail = [a.expected !== undefined ? `expected ${a.expected}` : '', a.actual !== undefined ? `actual ${a.actual}` : '']
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
