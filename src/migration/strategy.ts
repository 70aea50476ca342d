import { HwqualError } from '../model/errors.ts';
import { poll } from '../util/poll.ts';
import type { QmpClient } from '../vm/qmp-client.ts';

export type Strategy = 'precopy' | 'auto-converge' | 'xbzrle' | 'postcopy' | 'multifd';
export const STRATEGIES: readonly Strategy[] = ['precopy', 'auto-converge', 'xbzrle', 'postcopy', 'multifd'];

export interface Tuning {
  /** max-bandwidth (bytes/s) and downtime-limit (ms) on the source; QEMU's defaults when absent. */
  maxBandwidth?: number;
  downtimeLimitMs?: number;
  /** multifd: channels on both sides (QEMU's default 2). */
  multifdChannels?: number;
  /** xbzrle: the source's page cache (bytes; QEMU's default 64 MiB). */
  xbzrleCacheBytes?: number;
  /**
   * auto-converge: the throttle QEMU starts at and adds per step (%), its ceiling, and the share of sent bytes
   * (%) the dirtied bytes must exceed (twice) before it throttles; QEMU's defaults 20, 10, 99, 50.
   */
  cpuThrottleInitial?: number;
  cpuThrottleIncrement?: number;
  maxCpuThrottle?: number;
  throttleTriggerThreshold?: number;
}

export interface SideSettings {
  capabilities: Record<string, boolean>;
  parameters: Record<string, number>;
}

/** What each side gets for a strategy. `events` is always on (MIGRATION, MIGRATION_PASS). Pure. */
export function strategySettings(strategy: Strategy, t: Tuning): { source: SideSettings; destination: SideSettings } {
  const both: Record<string, boolean> = { events: true };
  if (strategy === 'xbzrle') both.xbzrle = true;
  if (strategy === 'postcopy') both['postcopy-ram'] = true;
  if (strategy === 'multifd') both.multifd = true;
  const source: SideSettings = {
    capabilities: { ...both, ...(strategy === 'auto-converge' && { 'auto-converge': true }) },
    parameters: {},
  };
  const destination: SideSettings = { capabilities: { ...both }, parameters: {} };
  if (t.maxBandwidth !== undefined) source.parameters['max-bandwidth'] = Math.round(t.maxBandwidth);
  if (t.downtimeLimitMs !== undefined) source.parameters['downtime-limit'] = Math.round(t.downtimeLimitMs);
  if (strategy === 'multifd') {
    const ch = t.multifdChannels ?? 2;
    source.parameters['multifd-channels'] = ch;
    destination.parameters['multifd-channels'] = ch;
  }
  if (strategy === 'xbzrle' && t.xbzrleCacheBytes !== undefined)
    source.parameters['xbzrle-cache-size'] = Math.round(t.xbzrleCacheBytes);
  if (strategy === 'auto-converge') {
    const put = (k: string, v: number | undefined) => {
      if (v !== undefined) source.parameters[k] = Math.round(v);
    };
    put('cpu-throttle-initial', t.cpuThrottleInitial);
    put('cpu-throttle-increment', t.cpuThrottleIncrement);
    put('max-cpu-throttle', t.maxCpuThrottle);
    put('throttle-trigger-threshold', t.throttleTriggerThreshold);
  }
  return { source, destination };
}

/** Set capabilities and parameters, then read both back; any difference is E_VM. Returns what QEMU reports. */
export async function applySettings(
  qmp: QmpClient,
  side: SideSettings,
  who: string,
  signal?: AbortSignal,
): Promise<{ capabilities: Record<string, boolean>; parameters: Record<string, unknown> }> {
  const caps = Object.entries(side.capabilities).map(([capability, state]) => ({ capability, state }));
  if (caps.length) await qmp.migrateSetCapabilities(caps, { signal });
  if (Object.keys(side.parameters).length) await qmp.migrateSetParameters(side.parameters, { signal });
  const readCaps = Object.fromEntries(
    (await qmp.queryMigrateCapabilities({ signal })).map((c) => [c.capability, c.state]),
  );
  const readParams = await qmp.queryMigrateParameters({ signal });
  const wrong = [
    ...Object.entries(side.capabilities)
      .filter(([k, v]) => readCaps[k] !== v)
      .map(([k, v]) => `${k}=${readCaps[k]} (set ${v})`),
    ...Object.entries(side.parameters)
      .filter(([k, v]) => readParams[k] !== v)
      .map(([k, v]) => `${k}=${String(readParams[k])} (set ${v})`),
  ];
  if (wrong.length)
    throw new HwqualError('E_VM', `migration settings on ${who} did not take: ${wrong.join(', ')}`, { host: qmp.host });
  return { capabilities: readCaps, parameters: readParams };
}

/**
 * Pages per GiB that calc-dirty-rate hashes: about 8,192 pages over the whole guest, within QEMU's 128–16,384 per
 * GiB. QEMU's default (512 per GiB) samples 128 pages of a 256 MiB guest, ~12 of them in a 24 MiB working set,
 * so one run's estimate swings by ±30 %; at 16,384 per GiB it is ±5 % for a cost of hashing 16 MiB twice.
 */
export function samplePagesPerGiB(memoryMiB: number): number {
  return Math.min(16_384, Math.max(128, Math.round((8192 * 1024) / Math.max(1, memoryMiB))));
}

/**
 * calc-dirty-rate in page-sampling mode (the only one that works under TCG on 7.2), in bytes/s; `memoryMiB` sets the
 * sample size.
 */
export async function measureDirtyRate(
  qmp: QmpClient,
  calcTimeSec: number,
  signal?: AbortSignal,
  memoryMiB?: number,
): Promise<number> {
  const sampled = memoryMiB ? { 'sample-pages': samplePagesPerGiB(memoryMiB) } : {};
  await qmp.calcDirtyRate(calcTimeSec, { mode: 'page-sampling', ...sampled }, { signal });
  let status = 'unstarted';
  const measured = async () => {
    const r = await qmp.queryDirtyRate({ signal });
    status = r.status;
    return r.status === 'measured' ? (r['dirty-rate'] ?? 0) * 1024 * 1024 : undefined;
  };
  const rate = await poll(measured, { timeoutMs: calcTimeSec * 1000 + 15_000, everyMs: 250 });
  if (rate === undefined)
    throw new HwqualError('E_TIMEOUT', `calc-dirty-rate did not finish (status ${status})`, { host: qmp.host });
  return rate;
}
