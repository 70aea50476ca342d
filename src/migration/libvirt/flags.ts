import type { NovaSettings } from '../nova.ts';
import type { Strategy, Tuning } from '../strategy.ts';

/**
 * `virsh migrate` as Nova calls migrateToURI3 (nova/virt/libvirt/driver.py, _prepare_migration_flags and
 * _live_migration_uri): VIR_MIGRATE_LIVE, PEER2PEER, PERSIST_DEST and UNDEFINE_SOURCE, the destination libvirtd at
 * `qemu+tcp://<host>/system` (Nova's default scheme) and QEMU's stream at `tcp://<live_migration_inbound_addr>`;
 * POSTCOPY when post-copy is permitted, AUTO_CONVERGE when auto-converge is (and post-copy is not); plus what the
 * hop's strategy and tuning map to. The flag list is plain data, kept in the hop's report. Pure.
 */
export interface LibvirtMigrateCommand {
  /** virsh arguments, domain and URIs included (without the --xml file, added by the hop). */
  args: string[];
  uri: string;
  migrateUri: string;
  /** Flags of Nova's own, and those the strategy and tuning added. */
  novaFlags: string[];
  strategyFlags: string[];
  /** Whether `virsh migrate-postcopy` may be issued (the migration was started with --postcopy). */
  postcopy: boolean;
}

export function libvirtMigrateCommand(o: {
  domain: string;
  destinationAddress: string;
  strategy: Strategy;
  tuning: Tuning;
  nova: NovaSettings;
  /** max-postcopy-bandwidth (bytes/s). */
  postcopyBandwidth?: number;
}): LibvirtMigrateCommand {
  const t = o.tuning;
  const novaFlags = ['--live', '--p2p', '--persistent', '--undefinesource'];
  if (o.nova.permitPostCopy) novaFlags.push('--postcopy');
  else if (o.nova.permitAutoConverge) novaFlags.push('--auto-converge');
  const s: string[] = [];
  const mib = (bytes: number) => String(Math.max(1, Math.round(bytes / 2 ** 20)));
  if (t.maxBandwidth !== undefined) s.push('--bandwidth', mib(t.maxBandwidth)); // Nova's live_migration_bandwidth
  if (o.strategy === 'auto-converge') {
    if (!novaFlags.includes('--auto-converge')) s.push('--auto-converge');
    if (t.cpuThrottleInitial !== undefined) s.push('--auto-converge-initial', String(t.cpuThrottleInitial));
    if (t.cpuThrottleIncrement !== undefined) s.push('--auto-converge-increment', String(t.cpuThrottleIncrement));
  }
  if (o.strategy === 'xbzrle') {
    s.push('--compressed', '--comp-methods', 'xbzrle');
    if (t.xbzrleCacheBytes !== undefined) s.push('--comp-xbzrle-cache', String(Math.round(t.xbzrleCacheBytes)));
  }
  if (o.strategy === 'postcopy') {
    if (!novaFlags.includes('--postcopy')) s.push('--postcopy');
    if (o.postcopyBandwidth !== undefined) s.push('--postcopy-bandwidth', mib(o.postcopyBandwidth));
  }
  if (o.strategy === 'multifd') s.push('--parallel', '--parallel-connections', String(t.multifdChannels ?? 2));
  const uri = `qemu+tcp://${o.destinationAddress}/system`;
  const migrateUri = `tcp://${o.destinationAddress}`;
  return {
    args: ['migrate', ...novaFlags, ...s, o.domain, uri, '--migrateuri', migrateUri],
    uri,
    migrateUri,
    novaFlags,
    strategyFlags: s,
    postcopy: novaFlags.includes('--postcopy') || s.includes('--postcopy'),
  };
}

/** The plan keys of `migration:` that `virsh migrate` (or Nova driving it) has no place for, each with why. */
export interface UnmappableKey {
  key: string;
  why: string;
}

/**
 * What a plan asks of the libvirt path that it cannot do: checked at validate time (exit 2 naming the key), never
 * discovered half-way through a run. Pure.
 */
export function unmappableForLibvirt(m: {
  'downtime-limit'?: number;
  'max-cpu-throttle'?: number;
  'throttle-trigger-threshold'?: number;
  fault?: { after?: 'start' | 'postcopy' };
}): UnmappableKey[] {
  const out: UnmappableKey[] = [];
  if (m['downtime-limit'] !== undefined)
    out.push({
      key: 'downtime-limit',
      why:
        'Nova sets the downtime limit itself on this path (migrate-setmaxdowntime on its schedule): give ' +
        'nova.downtimeMs, nova.steps and nova.delaySecPerGiB instead',
    });
  for (const key of ['max-cpu-throttle', 'throttle-trigger-threshold'] as const)
    if (m[key] !== undefined)
      out.push({ key, why: `virsh migrate has no flag for QEMU's ${key} (only --auto-converge-initial/-increment)` });
  if (m.fault?.after === 'postcopy')
    out.push({
      key: 'fault/after',
      why:
        'the post-copy recovery after a fault is driven through QMP on the raw QEMU path only ' +
        "(hwqual does not drive libvirt's --postcopy-resume)",
    });
  return out;
}
