import type { HostInfo, Requirement } from '../suite-api/types.ts';

export function factAt(facts: unknown, path: string): unknown {
  let cur: unknown = facts;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Why the host cannot run a case with these requirements, or null when it can. */
export function unmetRequirement(host: HostInfo, requires: readonly Requirement[] = []): string | null {
  for (const r of requires) {
    if ('cpuFlag' in r) {
      const flags = host.facts.cpu?.flags;
      if (!flags) return `requires cpu flag ${r.cpuFlag} (cpu flags unknown on this host)`;
      if (!flags.includes(r.cpuFlag)) return `requires cpu flag ${r.cpuFlag}`;
    } else if ('arch' in r) {
      if (host.facts.arch !== r.arch) return `requires arch ${r.arch} (host is ${host.facts.arch ?? 'unknown'})`;
    } else if ('fact' in r) {
      const v = factAt(host.facts, r.fact);
      if (v === undefined || v === null || v === false)
        return `requires ${r.fact}${r.equals !== undefined ? ` = ${r.equals}` : ''} (not known on this host)`;
      if (r.equals !== undefined && v !== r.equals) return `requires ${r.fact} = ${r.equals} (host has ${String(v)})`;
    } else if ('live' in r) {
      if (host.replayed) return 'requires a live host (this one is replayed)';
    } else if ('custom' in r) {
      const why = r.custom(host);
      if (why) return why;
    }
  }
  return null;
}
