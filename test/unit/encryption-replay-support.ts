import { resolve } from 'node:path';
import { normalizeLab } from '../../src/config/lab.ts';
import { prepareRun } from '../../src/runner/prepare.ts';
import { ReplayTransport } from '../../src/transport/replay.ts';
import type { Transport } from '../../src/transport/types.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { executeToTemp } from '../support/execute-run.ts';
import { planConfig } from '../support/plan-config.ts';

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
  const plan = planConfig({
    name: 'enc',
    suites: ['encryption'],
    require: o.require ?? {},
    concurrency: 4,
    settings: o.settings ?? {},
  });
  const prepared = await prepareRun({
    lab,
    plan,
    filter: o.grep ? { grep: o.grep } : {},
    bindings: [{ config: lab.hosts[0], transport, ...(o.replay && { replay: o.replay }) }],
  });
  const { results, byId, out } = await executeToTemp(lab, plan, prepared, 'hwqual-enc-');
  return { results, byId, host: results.hosts[0], out };
}
