import { setMaxListeners } from 'node:events';
import type { HostConfig, LabConfig, PlanConfig } from '../config/types.ts';
import { HwqualError, messageOf } from '../model/errors.ts';
import type { HostFacts } from '../model/facts.ts';
import type { HostResult } from '../model/result.ts';
import type { HostInfo } from '../suite-api/types.ts';
import type { Transport } from '../transport/types.ts';

/** A lab host bound to the transport that reaches it. */
export interface HostBinding {
  config: HostConfig;
  transport: Transport;
  replay?: { from: string; origin: string };
}

export interface ConnectedHost {
  binding: HostBinding;
  info: HostInfo;
  error?: string;
}

/** The lab's hosts the plan selects (by names and labels); none selected is bad input. */
export function selectHosts(lab: LabConfig, plan: PlanConfig): HostConfig[] {
  const { names, labels } = plan.hosts;
  const unknown = (names ?? []).filter((n) => !lab.hosts.some((h) => h.name === n));
  if (unknown.length) throw new HwqualError('E_USAGE', `plan selects host(s) not in the lab: ${unknown.join(', ')}`);
  const selected = lab.hosts.filter(
    (h) => (!names || names.includes(h.name)) && Object.entries(labels ?? {}).every(([k, v]) => h.labels[k] === v),
  );
  if (!selected.length) {
    throw new HwqualError(
      'E_USAGE',
      `plan selects no host of the lab (names: ${names?.join(',') ?? 'any'}, labels: ${JSON.stringify(labels ?? {})})`,
    );
  }
  return selected;
}

export type GatherFacts = (t: Transport, signal: AbortSignal) => Promise<HostFacts>;

/** Connect each host and gather its facts, in parallel; an unreachable host is recorded, not fatal. */
export async function connectHosts(
  bindings: HostBinding[],
  gather: GatherFacts,
  signal: AbortSignal,
  timeoutMs = 60_000,
): Promise<ConnectedHost[]> {
  // The hosts start together: one timeout signal serves them all. (One per host, 10,000 signals alive through the
  // connect phase, made V8 allocate every later AbortSignal — one per case — straight into the old generation.)
  const s = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  setMaxListeners(bindings.length + 16, s);
  return Promise.all(
    bindings.map(async (binding): Promise<ConnectedHost> => {
      const info: HostInfo = {
        name: binding.config.name,
        address: binding.config.address,
        migrationAddress: binding.config.migrationAddress,
        labels: binding.config.labels,
        facts: {},
        expect: binding.config.expect,
        replayed: Boolean(binding.replay),
      };
      try {
        await binding.transport.connect(s);
        info.facts = await gather(binding.transport, s);
        return { binding, info };
      } catch (err) {
        const reason = messageOf(err).replace(/^host unreachable: /, '');
        return { binding, info, error: `host unreachable: ${reason}` };
      }
    }),
  );
}

export function hostResult(h: ConnectedHost, extraFacts: Record<string, unknown>): HostResult {
  const facts: HostFacts = Object.keys(extraFacts).length
    ? { ...h.info.facts, extra: { ...h.info.facts.extra, ...extraFacts } }
    : h.info.facts;
  return {
    name: h.info.name,
    address: h.binding.config.address,
    transport: h.binding.transport.kind,
    labels: h.info.labels,
    facts,
    reachable: !h.error,
    ...(h.error && { error: h.error }),
    ...(h.binding.replay && { replay: h.binding.replay }),
  };
}
