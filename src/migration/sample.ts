import type { QmpEvent, QmpMigrationInfo } from '../model/qmp.ts';
import type { MigrationSample, PassRecord } from './types.ts';

/** A `query-migrate` answer → one sample (bytes and bytes/s). Pure. */
export function toSample(info: QmpMigrationInfo, t: number): MigrationSample {
  const ram = info.ram;
  const pageSize = ram?.['page-size'] ?? 4096;
  return {
    t: Math.round(t),
    status: info.status ?? 'none',
    transferred: ram?.transferred ?? 0,
    remaining: ram?.remaining ?? 0,
    total: ram?.total ?? 0,
    dirtyRate: (ram?.['dirty-pages-rate'] ?? 0) * pageSize,
    throughput: ((ram?.mbps ?? 0) * 1e6) / 8,
    syncCount: ram?.['dirty-sync-count'] ?? 0,
    ...(info['expected-downtime'] !== undefined && { expectedDowntimeMs: info['expected-downtime'] }),
    ...(info['cpu-throttle-percentage'] !== undefined && { throttlePct: info['cpu-throttle-percentage'] }),
    ...(info['setup-time'] !== undefined && info.status !== 'setup' && { setupMs: info['setup-time'] }),
    ...(typeof ram?.normal === 'number' && { pagesSent: ram.normal + (ram.duplicate ?? 0) }),
    ...(pageSize !== 4096 && { pageSize }),
  };
}

/** Passes from samples: one record per dirty-sync count, taken from the first sample that showed it. */
export function passesOf(samples: readonly MigrationSample[]): PassRecord[] {
  const out: PassRecord[] = [];
  let last = 0;
  for (const s of samples) {
    if (s.syncCount <= last) continue;
    last = s.syncCount;
    out.push({
      pass: s.syncCount,
      t: s.t,
      remaining: s.remaining,
      transferred: s.transferred,
      dirtyRate: s.dirtyRate,
      throughput: s.throughput,
      expectedDowntimeMs: s.expectedDowntimeMs,
      throttlePct: s.throttlePct,
    });
  }
  return out;
}

/** QMP events as a hop records them: times in ms on the hop's clock (since `t0`, epoch ms). Pure. */
export function hopEvents(
  events: readonly QmpEvent[],
  t0: number,
): Array<{ t: number; event: string; data?: Record<string, unknown> }> {
  return events.map((e) => ({
    t: Math.round(e.timestamp.seconds * 1000 + e.timestamp.microseconds / 1000 - t0),
    event: e.event,
    ...(e.data && { data: e.data }),
  }));
}

export const MiB = 1024 * 1024;

export function mib(bytes: number): number {
  return Math.round((bytes / MiB) * 10) / 10;
}

/**
 * What each strategy adds to a hop's metrics, from the final `query-migrate` answer (absent fields stay absent). Pure.
 */
export function strategyMetrics(info: QmpMigrationInfo): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (k: string, v: unknown) => {
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  };
  put('precopyBytes', info.ram?.['precopy-bytes']);
  put('downtimeBytes', info.ram?.['downtime-bytes']);
  put('postcopyBytes', info.ram?.['postcopy-bytes']);
  put('multifdBytes', info.ram?.['multifd-bytes']);
  const x = info['xbzrle-cache'];
  if (x) {
    put('xbzrlePages', x.pages);
    put('xbzrleBytes', x.bytes);
    put('xbzrleCacheMiss', x['cache-miss']);
    put('xbzrleCacheMissRate', x['cache-miss-rate']);
    put('xbzrleOverflow', x.overflow);
  }
  return out;
}
