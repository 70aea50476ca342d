import pLimit from 'p-limit';
import type { HostConfig, LabConfig, PlanConfig } from '../config/types.ts';
import { HwqualError, messageOf } from '../model/errors.ts';
import type { HostFacts } from '../model/facts.ts';
import type { HostResult } from '../model/result.ts';
import type { HostInfo } from '../suite-api/types.ts';
import type { Transport } from '../transport/types.ts';
import { onAbort } from '../util/abort-callbacks.ts';

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

/**
 * Hosts connecting and answering their facts at once, at most. Each host in flight holds its connection's and its
 * facts' working data: 10,000 replayed hosts started together held ~160 MiB of it at once (promoted to the old
 * generation, collected only later), and 10,000 SSH logins at once would each hold a socket (the file descriptor
 * limit). A host's timeout counts from its own turn.
 */
export const CONNECT_CONCURRENCY = 256;

/** Connect each host and gather its facts, CONNECT_CONCURRENCY at a time; an unreachable host is recorded. */
export async function connectHosts(
  bindings: HostBinding[],
  gather: GatherFacts,
  signal: AbortSignal,
  timeoutMs = 60_000,
  concurrency = CONNECT_CONCURRENCY,
): Promise<ConnectedHost[]> {
  const limit = pLimit(concurrency);
  return Promise.all(bindings.map((binding) => limit(() => connectHost(binding, gather, signal, timeoutMs))));
}

async function connectHost(
  binding: HostBinding,
  gather: GatherFacts,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<ConnectedHost> {
  const info: HostInfo = {
    name: binding.config.name,
    address: binding.config.address,
    migrationAddress: binding.config.migrationAddress,
    labels: binding.config.labels,
    facts: {},
    expect: binding.config.expect,
    replayed: Boolean(binding.replay),
  };
  // The host's own signal: its timeout, or the caller's (one listener on it for every host: abort-callbacks.ts).
  const own = new AbortController();
  // The reason AbortSignal.timeout gives.
  const timer = setTimeout(
    () => own.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    timeoutMs,
  );
  const unlisten = onAbort(signal, () => own.abort(signal.reason));
  try {
    own.signal.throwIfAborted(); // a host whose turn came after the run was cancelled is not contacted
    await binding.transport.connect(own.signal);
    info.facts = await gather(binding.transport, own.signal);
    return { binding, info };
  } catch (err) {
    const reason = messageOf(err).replace(/^host unreachable: /, '');
    return { binding, info, error: `host unreachable: ${reason}` };
  } finally {
    clearTimeout(timer);
    unlisten();
  }
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
