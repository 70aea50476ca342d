import { FACT_SOURCES, whyFactUnknown } from '../probe/fact-sources.ts';
import type { HostInfo, Requirement } from '../suite-api/types.ts';

export function factAt(facts: unknown, path: string): unknown {
  let cur: unknown = facts;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** `arch not known: not recorded in P: uname -m; lscpu -J` (or "not known on this host" when nothing says why). */
function unknown(host: HostInfo, what: string, path: string): string {
  const top = path.split('.')[0];
  const why = top in FACT_SOURCES ? whyFactUnknown(host.facts, top as keyof typeof FACT_SOURCES) : undefined;
  return why ? `${what} not known: ${why}` : `${what} not known on this host`;
}

/** Why the host cannot run a case with these requirements, or null when it can. */
export function unmetRequirement(host: HostInfo, requires: readonly Requirement[] = []): string | null {
  for (const r of requires) {
    if ('cpuFlag' in r) {
      const flags = host.facts.cpu?.flags;
      if (!flags) return `requires cpu flag ${r.cpuFlag} (${unknown(host, 'cpu flags', 'cpu')})`;
      if (!flags.includes(r.cpuFlag)) return `requires cpu flag ${r.cpuFlag}`;
    } else if ('arch' in r) {
      if (host.facts.arch === undefined) return `requires arch ${r.arch} (${unknown(host, 'arch', 'arch')})`;
      if (host.facts.arch !== r.arch) return `requires arch ${r.arch} (host is ${host.facts.arch})`;
    } else if ('fact' in r) {
      const v = factAt(host.facts, r.fact);
      if (v === undefined || v === null)
        return `requires ${r.fact}${r.equals !== undefined ? ` = ${r.equals}` : ''} (${unknown(host, r.fact, r.fact)})`;
      if (v === false)
        return `requires ${r.fact}${r.equals !== undefined ? ` = ${r.equals}` : ''} (false on this host)`;
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
