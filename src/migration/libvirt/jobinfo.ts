import type { MigrationSample } from '../types.ts';

/**
 * `virsh domjobinfo DOM --rawstats` (libvirt 9.0 and 11.3 print the same typed parameters):
 *   Job type: 2
 *
 *   operation: 5
 *   time_elapsed: 1147
 *   memory_remaining: 101707000 …
 * → the job type and its numeric fields. Pure.
 */
export interface JobInfo {
  /** 0 none, 1 bounded, 2 unbounded (running), 3 completed, 4 failed, 5 cancelled. */
  type: number;
  fields: Record<string, number>;
}

export const JOB_TYPE = { none: 0, bounded: 1, unbounded: 2, completed: 3, failed: 4, cancelled: 5 } as const;

export function parseJobInfo(text: string): JobInfo {
  const type = Number(/^Job type:\s*(\d+)/m.exec(text)?.[1] ?? 0);
  const fields: Record<string, number> = {};
  for (const m of text.matchAll(/^([a-z_]+):\s*(-?\d+(?:\.\d+)?)\s*$/gm)) fields[m[1]!] = Number(m[2]);
  return { type, fields };
}

/**
 * One job reading → the sample the ConvergenceDetector reads (the same shape as a query-migrate sample): status,
 * bytes, libvirt's dirty rate (pages/s × page size), throughput (memory_bps), the dirty-sync count (memory_iteration),
 * the expected downtime while running, and auto-converge's throttle. `postcopy`: hwqual switched it. Pure.
 */
export function jobSample(j: JobInfo, t: number, postcopy = false): MigrationSample {
  const f = j.fields;
  const running = j.type === JOB_TYPE.unbounded || j.type === JOB_TYPE.bounded;
  const status = running
    ? postcopy
      ? 'postcopy-active'
      : (f.memory_total ?? 0) === 0
        ? 'setup'
        : 'active'
    : (['none', 'none', 'active', 'completed', 'failed', 'cancelled'][j.type] ?? 'none');
  return {
    t: Math.round(t),
    status,
    transferred: f.memory_processed ?? 0,
    remaining: f.memory_remaining ?? 0,
    total: f.memory_total ?? 0,
    dirtyRate: (f.memory_dirty_rate ?? 0) * (f.memory_page_size ?? 4096),
    throughput: f.memory_bps ?? 0,
    syncCount: f.memory_iteration ?? 0,
    ...(running && f.downtime !== undefined && { expectedDowntimeMs: f.downtime }),
    ...(f.auto_converge_throttle !== undefined && { throttlePct: f.auto_converge_throttle }),
  };
}

/** A finished job's figures (`domjobinfo --completed`) as the hop's metrics. Pure. */
export function jobMetrics(j: JobInfo): Record<string, number> {
  const f = j.fields;
  const out: Record<string, number> = {};
  const put = (k: string, v: number | undefined) => {
    if (v !== undefined && Number.isFinite(v)) out[k] = v;
  };
  put('totalMs', f.time_elapsed);
  put('setupMs', f.setup_time);
  put('downtimeMs', j.type === JOB_TYPE.completed ? f.downtime : undefined);
  put('transferredBytes', f.memory_processed);
  put('passes', f.memory_iteration);
  put('postcopyRequests', f.memory_postcopy_requests);
  put('throttlePct', f.auto_converge_throttle);
  put('xbzrleBytes', f.compression_bytes);
  put('xbzrleCacheMiss', f.compression_cache_misses);
  put('xbzrleOverflow', f.compression_overflow);
  return out;
}
