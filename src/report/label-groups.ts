import type { HostResult } from '../model/result.ts';

/**
 * The hosts in groups by one label (`--group-by hardware`), for the matrix of a large run. Default: the label set on
 * the most hosts; among those, one that splits them (two values or more) into the fewest groups; then by name.
 * Hosts without the label form one group of their own.
 */
export interface LabelGroups {
  /** The label grouped by; undefined when no host has a label (one group of every host). */
  label?: string;
  groups: Array<{ value: string; hosts: string[] }>;
}

export function defaultGroupLabel(hosts: readonly Pick<HostResult, 'labels'>[]): string | undefined {
  const values = new Map<string, Set<string>>();
  const holders = new Map<string, number>();
  for (const h of hosts)
    for (const [k, v] of Object.entries(h.labels)) {
      holders.set(k, (holders.get(k) ?? 0) + 1);
      if (!values.has(k)) values.set(k, new Set());
      values.get(k)!.add(v);
    }
  const rank = (k: string) => {
    const distinct = values.get(k)!.size;
    return [-(holders.get(k) ?? 0), distinct >= 2 ? 0 : 1, distinct] as const;
  };
  const keys = [...holders.keys()].sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || a.localeCompare(b);
  });
  return keys[0];
}

/** `hostNames` (run order) in groups by `label` (default: defaultGroupLabel), groups in order of first host. */
export function groupHosts(
  hostNames: readonly string[],
  hosts: readonly Pick<HostResult, 'name' | 'labels'>[],
  label: string | undefined = defaultGroupLabel(hosts),
): LabelGroups {
  const labels = new Map(hosts.map((h) => [h.name, h.labels]));
  const groups = new Map<string, string[]>();
  for (const name of hostNames) {
    const value = label === undefined ? 'all hosts' : (labels.get(name)?.[label] ?? `(no ${label})`);
    const list = groups.get(value);
    if (list) list.push(name);
    else groups.set(value, [name]);
  }
  return {
    ...(label !== undefined && { label }),
    groups: [...groups].map(([value, names]) => ({ value, hosts: names })),
  };
}
