import type { HostResult } from '../model/result.ts';
import type { QualifiedRun } from './qualified.ts';

/** The qualified host a host is compared with, and how it was chosen. */
export type Reference = { host: HostResult; how: string } | { host?: undefined; why: string };

/**
 * The host itself when the qualified run reached it; else the first reachable host of that run with the same
 * `hardware` label (a host added to the fleet after the qualification is held to what its model was qualified with).
 * Neither: the host was never qualified. Pure.
 */
export function referenceFor(q: QualifiedRun, name: string, labels: Record<string, string>): Reference {
  const same = q.hosts.get(name);
  if (same?.reachable) return { host: same, how: `${name} as qualified` };
  const hardware = labels.hardware;
  const sibling =
    hardware === undefined
      ? undefined
      : q.hostList.find((h) => h.reachable && h.name !== name && h.labels.hardware === hardware);
  if (sibling) return { host: sibling, how: `${sibling.name}, the qualified host with hardware=${hardware}` };
  const where = same
    ? `${name} was unreachable in the qualified run (${same.error ?? 'no facts'})`
    : `${name} is not in the qualified run`;
  const label =
    hardware === undefined
      ? 'and it has no hardware label to compare it by'
      : `and no reachable host of it has hardware=${hardware}`;
  return { why: `never qualified: ${where} ${label} (${q.file})` };
}
