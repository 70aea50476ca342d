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
  return results([
    kase({ status: 'passed', caseId: 'os-release', metrics: { bootSeconds: 41.5 } }),
    kase({ status: 'failed', caseId: 'kernel-cmdline', message: 'iommu=pt missing', expected: 'iommu=pt', actual: 'quiet',
      assertions: [{ name: 'cmdline has iommu=pt', passed: false, expected: 'iommu=pt', actual: 'quiet' }], transcript: 'transcripts/k.txt' }),
    kase({ status: 'error', caseId: 'dmesg', errorCode: 'E_TIMEOUT', message: 'timed out after 30 s' }),
    kase({ status: 'skipped', caseId: 'sev', message: 'requires cpu flag sev' }),
    kase({ status: 'flaky', caseId: 'ntp', attempts: 2, message: 'clock offset 0.6 s on attempt 1' }),
    kase({ status: 'cancelled', caseId: 'stress', host: 'node-2', errorCode: 'E_CANCELLED', message: 'run interrupted' }),
    kase({ status: 'waived', caseId: 'vulnerability-mds', host: 'node-2', suite: 'cpu-features', message: 'Vulnerable',
      waiver: { reason: 'microcode fix scheduled in firmware 2.3', ticket: 'HW-1234', expires: '2027-01-31' } }),
  ]);
}
