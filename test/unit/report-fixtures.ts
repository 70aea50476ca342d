import type { CaseResult, HostResult, RunResults } from '../../src/model/result.ts';
import { summarize } from '../../src/model/result.ts';
import type { CaseStatus, Severity } from '../../src/model/status.ts';

/** Realistic RunResults for report tests (the shape the runner writes; values typed by hand, labelled as such). */
export function host(name: string, over: Partial<HostResult> = {}): HostResult {
  return {
    name,
    address: '127.0.0.1',
    transport: 'ssh',
    labels: { rack: 'r1', role: 'compute' },
    reachable: true,
    facts: {
      arch: 'x86_64',
      os: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
      kernel: { release: '6.1.0-18-amd64' },
      cpu: { vendor: 'GenuineIntel', modelName: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz', microcode: '0xd0003a5' },
      dmi: { sysVendor: 'Dell Inc.', productName: 'PowerEdge R750', biosVendor: 'Dell Inc.', biosVersion: '1.10.2' },
      qemu: { version: '7.2.9' },
    },
    ...over,
  };
}

let seq = 0;
export function kase(over: Partial<CaseResult> & { status: CaseStatus }): CaseResult {
  const suite = over.suite ?? 'host-os';
  const caseId = over.caseId ?? `case-${++seq}`;
  const hostName = over.host ?? 'node-1';
  const severity: Severity = over.severity ?? 'major';
  return {
    id: `${suite}/${caseId}@${hostName}`,
    suite,
    caseId,
    title: `Title of ${caseId}`,
    host: hostName,
    params: {},
    tags: [],
    severity,
    startedAt: '2026-03-01T10:00:01.000Z',
    durationMs: 1234,
    attempts: 1,
    assertions: [],
    artifacts: [],
    metrics: {},
    ...over,
  };
}

export function results(cases: CaseResult[], hosts: HostResult[] = [host('node-1'), host('node-2')]): RunResults {
  return {
    schemaVersion: 1,
    run: {
      plan: 'gen11-qualification',
      startedAt: '2026-03-01T10:00:00.000Z',
      endedAt: '2026-03-01T10:20:00.000Z',
      harnessVersion: '0.1.0',
      gitCommit: 'a2915d8c0ffee',
      labFile: 'lab.yaml',
      labSha256: 'a'.repeat(64),
      planFile: 'plan.yaml',
      planSha256: 'b'.repeat(64),
      argv: ['run', '--plan', 'plan.yaml'],
      interrupted: false,
    },
    hosts,
    cases,
    summary: summarize(cases),
  };
}

/** One case of every status, on two hosts and two suites. */
export function everyStatus(): RunResults {
  const r = results([
    kase({ status: 'passed', caseId: 'os-release', metrics: { bootSeconds: 41.5 } }),
    kase({
      status: 'failed',
      caseId: 'kernel-cmdline',
      message: 'iommu=pt missing',
      expected: 'iommu=pt',
      actual: 'quiet',
      assertions: [{ name: 'cmdline has iommu=pt', passed: false, expected: 'iommu=pt', actual: 'quiet' }],
      transcript: 'transcripts/k.txt',
    }),
    kase({ status: 'error', caseId: 'dmesg', errorCode: 'E_TIMEOUT', message: 'timed out after 30 s' }),
    kase({ status: 'skipped', caseId: 'sev', message: 'requires cpu flag sev' }),
    kase({ status: 'flaky', caseId: 'ntp', attempts: 2, message: 'clock offset 0.6 s on attempt 1' }),
    kase({
      status: 'cancelled',
      caseId: 'stress',
      host: 'node-2',
      errorCode: 'E_CANCELLED',
      message: 'run interrupted',
    }),
    kase({
      status: 'waived',
      caseId: 'vulnerability-mds',
      host: 'node-2',
      suite: 'cpu-features',
      message: 'Vulnerable',
      waiver: {
        reason: 'microcode fix scheduled in firmware 2.3',
        ticket: 'HW-1234',
        expires: '2027-01-31',
        status: 'failed',
      },
    }),
  ]);
  r.waivers = [
    {
      match: { suite: 'cpu-features', case: 'vulnerability-*', host: 'node-*' },
      reason: 'microcode fix scheduled in firmware 2.3',
      ticket: 'HW-1234',
      expires: '2027-01-31',
      state: 'applied',
      cases: ['cpu-features/vulnerability-mds@node-2'],
    },
  ];
  return r;
}

/**
 * Markup and script in every host-derived field (names, labels, facts, messages, transcripts, artifacts, chart labels).
 */
export const XSS = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"><b>bold</b>'"&amp;`;

export function hostileResults(): RunResults {
  const name = `node-${XSS}`;
  const h = host(name, {
    address: XSS,
    labels: { [`rack${XSS}`]: XSS },
    error: XSS,
    replay: { from: XSS, origin: XSS },
    facts: {
      os: { prettyName: XSS },
      kernel: { release: XSS },
      cpu: { modelName: XSS },
      qemu: { version: XSS },
      dmi: { sysVendor: XSS, productName: XSS, biosVendor: XSS, biosVersion: XSS },
    },
  });
  const common = { host: name, title: XSS, message: XSS, expected: XSS, actual: XSS, params: { [XSS]: XSS } };
  const cases = [
    kase({
      ...common,
      status: 'failed',
      caseId: `fail-${XSS}`,
      errorCode: XSS,
      metrics: { [`downtime${XSS}`]: 12.5 },
      assertions: [{ name: XSS, passed: false, expected: XSS, actual: XSS, message: XSS }],
      artifacts: [
        { name: XSS, path: `artifacts/${XSS}.txt`, bytes: 10 },
        { name: 'js', path: 'javascript:window.__pwned=3', bytes: 1 },
      ],
      transcript: `transcripts/${XSS}.txt`,
    }),
    kase({
      ...common,
      status: 'waived',
      caseId: `waived-${XSS}`,
      waiver: { reason: XSS, ticket: XSS, expires: '2027-01-31', status: 'failed' },
    }),
    kase({ ...common, status: 'passed', caseId: `pass-${XSS}` }),
    kase({ ...common, status: 'flaky', caseId: `flaky-${XSS}` }),
    kase({ ...common, status: 'skipped', caseId: `skip-${XSS}` }),
  ];
  const r = results(cases, [h]);
  r.run.plan = `plan-${XSS}`;
  r.run.labFile = XSS;
  r.run.argv = [XSS];
  r.waivers = [
    { match: { case: 'waived-*' }, reason: XSS, ticket: XSS, expires: '2027-01-31', state: 'applied', cases: [XSS] },
    { match: { case: XSS }, reason: XSS, ticket: XSS, expires: '2020-01-31', state: 'expired', cases: [] },
  ];
  r.baseline = {
    file: XSS,
    baselineStartedAt: r.run.startedAt,
    newFailures: [XSS],
    fixed: [XSS],
    stillFailing: [],
    added: [XSS],
    removed: [XSS],
    metrics: [{ caseId: XSS, metric: XSS, before: 1, after: 2, change: 1 }],
    threshold: 0.1,
  };
  return r;
}
