import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostExpect, LabConfig, PlanConfig } from '../../src/config/types.ts';
import { normalizeLab } from '../../src/config/lab.ts';
import { prepareRun } from '../../src/runner/prepare.ts';
import { executeRun } from '../../src/runner/run.ts';
import { LocalTransport } from '../../src/transport/local.ts';

/** Run real suites against this machine through the runner's public functions (real fact gathering, LocalTransport). */
export async function runSuitesLocally(
  suites: string[],
  over: { require?: Record<string, unknown>; expect?: HostExpect } = {},
) {
  const lab: LabConfig = normalizeLab(
    { hosts: [{ name: 'local', address: 'local', ...(over.expect ? { expect: over.expect } : {}) }] },
    '/tmp/lab.yaml',
    'lab.yaml',
    'x'.repeat(64),
  );
  const plan: PlanConfig = {
    file: '/tmp/plan.yaml',
    sha256: 'y'.repeat(64),
    name: 'suite-test',
    suites,
    hosts: {},
    severity: {},
    require: over.require ?? {},
    concurrency: 4,
    timeouts: { case: 60 },
    retries: 0,
    retryFailed: false,
    matrix: {},
    settings: {},
  };
  const out = mkdtempSync(join(tmpdir(), 'hwqual-suite-'));
  const prepared = await prepareRun({ lab, plan, transportFactory: (h) => new LocalTransport(h.name) });
  const results = await executeRun({
    lab,
    plan,
    prepared,
    outDir: out,
    signal: new AbortController().signal,
    progress: {},
  });
  const byId = (id: string) => {
    const c = results.cases.find((r) => r.caseId === id);
    if (!c) throw new Error(`no case ${id} among ${results.cases.map((r) => r.caseId).join(', ')}`);
    return c;
  };
  return { results, out, byId, host: results.hosts[0] };
}
