import { lines } from './text.ts';

export interface MemInfo {
  totalKiB?: number;
  availableKiB?: number;
  hugepagesTotal?: number;
  hugepagesFree?: number;
  hugepageSizeKiB?: number;
}

/** /proc/meminfo → sizes in KiB (the file says "kB", meaning KiB) and hugepage counts. */
export function parseMeminfo(text: string): MemInfo {
  const f: Record<string, number> = {};
  for (const line of lines(text)) {
    const m = /^([\w()]+):\s+(\d+)/.exec(line);
    if (m) f[m[1]] = Number(m[2]);
  }
  const r: MemInfo = {};
  if (f.MemTotal !== undefined) r.totalKiB = f.MemTotal;
  if (f.MemAvailable !== undefined) r.availableKiB = f.MemAvailable;
  if (f.HugePages_Total !== undefined) r.hugepagesTotal = f.HugePages_Total;
  if (f.HugePages_Free !== undefined) r.hugepagesFree = f.HugePages_Free;
  if (f.Hugepagesize !== undefined) r.hugepageSizeKiB = f.Hugepagesize;
  return r;
}
