import type { FactSelection, LabConfig, PlanConfig } from '../config/types.ts';
import { caseIdsHash, type PlannedCases } from '../model/coverage.ts';
import { HwqualError } from '../model/errors.ts';
import type { Transport } from '../transport/types.ts';
import type { HostConfig } from '../config/types.ts';
import { expandPlanList, filterCases, type CaseFilter } from './expand.ts';
import { resolveFactSelection } from './fact-groups.ts';
import { connectHosts, selectHosts, type ConnectedHost, type GatherFacts, type HostBinding } from './hosts.ts';
import { loadSuites } from './load-suites.ts';
import type { LoadedSuite } from './plan-types.ts';
import type { PlannedList } from './planned-list.ts';
import { selectShard, shardGroupKey, type ShardSpec } from './shard.ts';

export interface PrepareOptions {
  lab: LabConfig;
  plan: PlanConfig;
  filter?: CaseFilter;
  signal?: AbortSignal;
  /** Hosts bound to transports already (replay); otherwise the lab's selected hosts through transportFactory. */
  bindings?: HostBinding[];
  transportFactory?: (host: HostConfig, lab: LabConfig) => Transport;
  gatherFacts?: GatherFacts;
  /** Which facts to gather (`hwqual run --facts`); default: the plan's `facts`, else auto (the suites' groups). */
  facts?: FactSelection;
  suitesDir?: string;
  /** Run only this stable share of the suite × host groups. */
  shard?: ShardSpec;
}

export interface PreparedRun {
  suites: LoadedSuite[];
  hosts: ConnectedHost[];
  /**
   * Every case the plan expands to (before filters), and the ones the filters keep: lists that make each case when
   * asked for (planned-list.ts), not 300,000 objects held for the run.
   */
  all: PlannedList;
  cases: PlannedList;
  /** The suite × host cells this run (or shard) is to cover. */
  planned: Array<{ suite: string; host: string }>;
  /** Every case of `all` as a count and set hash: what the verdict holds the results against (filters → incomplete). */
  plannedCases: PlannedCases;
}

/** Load suites, bind and connect hosts, gather facts, expand and filter. Bad input throws E_USAGE / E_CONFIG. */
export async function prepareRun(o: PrepareOptions): Promise<PreparedRun> {
  // Suites load (module imports) while the hosts connect and answer their facts (network waits): both start now.
  // A suite that fails to load (bad input) stops the connecting at once: nothing waits for a connect timeout.
  const stopConnecting = new AbortController();
  const loading = loadSuites(o.plan.suites, o.suitesDir);
  loading.catch(() => stopConnecting.abort()); // awaited below: an early rejection is not unhandled meanwhile
  let bindings = o.bindings;
  if (!bindings) {
    const factory = o.transportFactory ?? (await import('../transport/create.ts')).createTransport;
    bindings = selectHosts(o.lab, o.plan).map((config) => ({ config, transport: factory(config, o.lab) }));
  }
  // Shards split suite × host groups known from the plan and the lab alone, before any host is contacted; a suite
  // whose cases span hosts (shard: 'whole') is one group over all its hosts, so a pair or a pool stays together.
  let planned = o.plan.suites.flatMap((suite) => bindings!.map((b) => ({ suite, host: b.config.name })));
  if (o.shard) {
    let whole: Set<string>;
    try {
      whole = new Set((await loading).filter((s) => s.def.shard === 'whole').map((s) => s.name));
    } catch (err) {
      await Promise.all(bindings.map((b) => b.transport.close().catch(() => {})));
      throw err;
    }
    const keyOf = (g: { suite: string; host: string }) =>
      whole.has(g.suite) ? `${g.suite}@*` : shardGroupKey(g.suite, g.host);
    const chosen = new Set(selectShard([...new Set(planned.map(keyOf))], o.shard.index, o.shard.total));
    planned = planned.filter((g) => chosen.has(keyOf(g)));
    const used = new Set(planned.map((g) => g.host));
    await Promise.all(bindings.filter((b) => !used.has(b.config.name)).map((b) => b.transport.close().catch(() => {})));
    bindings = bindings.filter((b) => used.has(b.config.name));
    if (!planned.length)
      throw new HwqualError(
        'E_USAGE',
        `shard ${o.shard.index}/${o.shard.total} has no suite × host group (the plan has fewer groups than shards)`,
      );
  }
  const cells = new Set(planned.map((g) => shardGroupKey(g.suite, g.host)));
  // `auto` needs the suites' declared groups: a host connects while the suites load, and asks its facts after.
  const wanted = o.facts ?? o.plan.facts;
  const selection =
    wanted === undefined || wanted === 'auto'
      ? loading.then((suites) =>
          resolveFactSelection(
            wanted,
            suites.map((s) => s.def),
          ),
        )
      : Promise.resolve(wanted);
  selection.catch(() => {}); // a suite that does not load is reported below
  const gather: GatherFacts =
    o.gatherFacts ?? (await import('./facts.ts').then((m) => async (t, s) => m.gatherFacts(t, s, await selection)));
  const signal = o.signal ? AbortSignal.any([o.signal, stopConnecting.signal]) : stopConnecting.signal;
  const hosts = await connectHosts(bindings, gather, signal);
  let suites: LoadedSuite[];
  try {
    suites = await loading;
  } catch (err) {
    await Promise.all(hosts.map((h) => h.binding.transport.close().catch(() => {})));
    throw err;
  }
  const expanded = expandPlanList({
    plan: o.plan,
    suites,
    hosts: hosts.map((h) => ({ info: h.info, error: h.error })),
  });
  // A shard keeps its own cells' cases; without a shard every cell is the run's (no case made to decide).
  const all = o.shard ? expanded.filter((c) => cells.has(shardGroupKey(c.suite, c.host.name))) : expanded;
  const cases = filterCases(all, o.filter ?? {});
  if (!cases.length) {
    await Promise.all(hosts.map((h) => h.binding.transport.close().catch(() => {})));
    throw new HwqualError(
      'E_USAGE',
      all.length ? `the filters select no case (of ${all.length})` : 'the plan expands to no case',
    );
  }
  // The run covers the cells that have a case (after the filters), known from the list's groups.
  const kept = new Set<string>();
  for (const [suite, host] of cases.cells()) kept.add(shardGroupKey(suite, host));
  return {
    suites,
    hosts,
    all,
    cases,
    planned: planned.filter((g) => kept.has(shardGroupKey(g.suite, g.host))),
    plannedCases: { count: all.length, idsHash: caseIdsHash(idsOf(all)) },
  };
}

function* idsOf(cases: PlannedList): Generator<string> {
  for (const c of cases) yield c.id;
}
