import type { LabConfig, PlanConfig } from '../config/types.ts';
import { HwqualError } from '../model/errors.ts';
import type { Transport } from '../transport/types.ts';
import type { HostConfig } from '../config/types.ts';
import { expandPlan, filterCases, type CaseFilter } from './expand.ts';
import { connectHosts, selectHosts, type ConnectedHost, type GatherFacts, type HostBinding } from './hosts.ts';
import { loadSuites } from './load-suites.ts';
import type { LoadedSuite, PlannedCase } from './plan-types.ts';

export interface PrepareOptions {
  lab: LabConfig;
  plan: PlanConfig;
  filter?: CaseFilter;
  signal?: AbortSignal;
  /** Hosts bound to transports already (replay); otherwise the lab's selected hosts through transportFactory. */
  bindings?: HostBinding[];
  transportFactory?: (host: HostConfig, lab: LabConfig) => Transport;
  gatherFacts?: GatherFacts;
  suitesDir?: string;
}

export interface PreparedRun {
  suites: LoadedSuite[];
  hosts: ConnectedHost[];
  /** Every case the plan expands to (before filters), and the ones the filters keep. */
  all: PlannedCase[];
  cases: PlannedCase[];
}

/** Load suites, bind and connect hosts, gather facts, expand and filter. Bad input throws E_USAGE / E_CONFIG. */
export async function prepareRun(o: PrepareOptions): Promise<PreparedRun> {
  const suites = await loadSuites(o.plan.suites, o.suitesDir);
  let bindings = o.bindings;
  if (!bindings) {
    const factory = o.transportFactory ?? (await import('../transport/create.ts')).createTransport;
    bindings = selectHosts(o.lab, o.plan).map((config) => ({ config, transport: factory(config, o.lab) }));
  }
  const gather = o.gatherFacts ?? (await import('./facts.ts')).gatherFacts;
  const hosts = await connectHosts(bindings, gather, o.signal ?? new AbortController().signal);
  const all = expandPlan({ plan: o.plan, suites, hosts: hosts.map((h) => ({ info: h.info, error: h.error })) });
  const cases = filterCases(all, o.filter ?? {});
  if (!cases.length) {
    await Promise.all(hosts.map((h) => h.binding.transport.close().catch(() => {})));
    throw new HwqualError('E_USAGE', all.length ? `the filters select no case (of ${all.length})` : 'the plan expands to no case');
  }
  return { suites, hosts, all, cases };
}
