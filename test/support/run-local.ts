import type { FactSelection, HostExpect, LabConfig, PlanConfig } from '../../src/config/types.ts';
import { normalizeLab } from '../../src/config/lab.ts';
import { prepareRun } from '../../src/runner/prepare.ts';
import { LocalTransport } from '../../src/transport/local.ts';
import type { ReplayTransport } from '../../src/transport/replay.ts';
import { executeToTemp } from './execute-run.ts';
import { planConfig } from './plan-config.ts';

interface Over {
  require?: Record<string, unknown>;
  expect?: HostExpect;
  /** The plan's `facts:` (default auto: the groups the suites declare). */
  facts?: FactSelection;
  settings?: Record<string, unknown>;
}

/** Run real suites against this machine through the runner's public functions (real fact gathering, LocalTransport). */
export async function runSuitesLocally(suites: string[], over: Over = {}) {
  const lab = oneHostLab('local', 'local', over.expect);
  const plan = { ...testPlan(suites, over.require, over.facts), ...(over.settings && { settings: over.settings }) };
  const prepared = await prepareRun({ lab, plan, transportFactory: (h) => new LocalTransport(h.name) });
  return execute(lab, plan, prepared);
}

/** The same on one replayed host (a recorded or assembled profile): it runs only what its profile answers. */
export async function runSuitesReplayed(transport: ReplayTransport, suites: string[], over: Over = {}) {
  const lab = oneHostLab(transport.host, 'replay', over.expect);
  const plan = testPlan(suites, over.require, over.facts);
  const prepared = await prepareRun({
    lab,
    plan,
    bindings: [
      { config: lab.hosts[0]!, transport, replay: { from: transport.replayedFrom, origin: transport.origin } },
    ],
  });
  return execute(lab, plan, prepared);
}

function oneHostLab(name: string, address: string, expect?: HostExpect): LabConfig {
  return normalizeLab(
    { hosts: [{ name, address, ...(expect ? { expect } : {}) }] },
    '/tmp/lab.yaml',
    'lab.yaml',
    'x'.repeat(64),
  );
}

function testPlan(suites: string[], require: Record<string, unknown> = {}, facts?: FactSelection): PlanConfig {
  return planConfig({
    ...(facts && { facts }),
    name: 'suite-test',
    suites,
    require,
    concurrency: 4,
    timeouts: { case: 60 },
  });
}

async function execute(lab: LabConfig, plan: PlanConfig, prepared: Awaited<ReturnType<typeof prepareRun>>) {
  const run = await executeToTemp(lab, plan, prepared, 'hwqual-suite-');
  return { ...run, host: run.results.hosts[0]! };
}
