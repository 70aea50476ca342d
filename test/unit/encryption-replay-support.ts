import { resolve } from 'node:path';
import { normalizeLab } from '../../src/config/lab.ts';
import type { PlanConfig } from '../../src/config/types.ts';
import { prepareRun } from '../../src/runner/prepare.ts';
import { executeRun } from '../../src/runner/run.ts';
import { ReplayTransport } from '../../src/transport/replay.ts';
import type { Transport } from '../../src/transport/types.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { tempDir } from '../support/temp-dir.ts';

/** An assembled profile of fixtures/hosts (real dumps of real machines), opened for replay. */
export function assembledProfile(name: string): Promise<ReplayTransport> {
  return ReplayTransport.open(resolve(PROJECT_ROOT, 'fixtures/hosts', name));
}

/** Run the encryption suite on one replayed host through the real runner. */
export function runEncryptionReplayed(transport: ReplayTransport, require: Record<string, unknown> = {}) {
  return runEncryption(transport, { require, replay: { from: transport.replayedFrom, origin: transport.origin } });
}

/** Run the encryption suite on one host (any transport) through the real runner. */
export async function runEncryption(
  transport: Transport,
  o: {
    require?: Record<string, unknown>;
    settings?: Record<string, unknown>;
    grep?: RegExp;
    replay?: { from: string; origin: string };
  } = {},
) {
  const lab = normalizeLab(
    { hosts: [{ name: transport.host, address: o.replay ? 'replay' : 'local' }] },
    '/tmp/lab.yaml',
    'lab.yaml',
    'x'.repeat(64),
  );
  const plan: PlanConfig = {
    file: '/tmp/plan.yaml',
    sha256: 'y'.repeat(64),
    name: 'enc',
    suites: ['encryption'],
    hosts: {},
    severity: {},
    require: o.require ?? {},
    concurrency: 4,
    timeouts: { case: 30 },
    retries: 0,
    retryFailed: false,
    matrix: {},
    settings: o.settings ?? {},
  };
  const prepared = await prepareRun({
    lab,
    plan,
    filter: o.grep ? { grep: o.grep } : {},
    bindings: [{ config: lab.hosts[0], transport, ...(o.replay && { replay: o.replay }) }],
  });
  const out = tempDir('hwqual-enc-');
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
  return { results, byId, host: results.hosts[0], out };
}
