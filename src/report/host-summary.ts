import type { HostAccess } from '../model/facts.ts';
import type { HostResult } from '../model/result.ts';

/** The host facts a reviewer reads, as short strings ('' when unknown). Used by the HTML and Markdown reports. */
export interface HostSummary {
  os: string;
  kernel: string;
  qemu: string;
  cpu: string;
  bios: string;
  product: string;
  /** Whom hwqual logged in as and how root-only commands ran: `as qa, root-only commands through sudo -n -u root`. */
  access: string;
}

export function hostSummary(h: HostResult | undefined): HostSummary {
  const f = h?.facts ?? {};
  return {
    os: f.os?.prettyName ?? [f.os?.id, f.os?.versionId].filter(Boolean).join(' '),
    kernel: f.kernel?.release ?? '',
    qemu: f.qemu?.version ?? '',
    // A lab host that is a VM says so: its CPU is what the hypervisor exposes.
    cpu: [f.cpu?.modelName, f.virtualised && f.virtualised.kind !== 'none' ? `(in a ${f.virtualised.kind} VM)` : '']
      .filter(Boolean)
      .join(' '),
    bios: [f.dmi?.biosVendor, f.dmi?.biosVersion, f.dmi?.biosDate].filter(Boolean).join(' '),
    product: [f.dmi?.sysVendor, f.dmi?.productName].filter(Boolean).join(' '),
    access: accessText(f.extra?.access as HostAccess | undefined),
  };
}

/**
 * The hosts by configuration: the same summary, labels and source (live, replayed from, unreachable) share an entry.
 */
export function hostConfigurations(
  hosts: readonly HostResult[],
): Array<{ summary: HostSummary; labels: string; source: string; hosts: string[] }> {
  const out = new Map<string, { summary: HostSummary; labels: string; source: string; hosts: string[] }>();
  for (const h of hosts) {
    const summary = hostSummary(h);
    const labels = Object.entries(h.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const source = h.replay
      ? `replayed from ${h.replay.from} (${h.replay.origin})`
      : h.reachable
        ? ['live', summary.access].filter(Boolean).join(', ')
        : `unreachable: ${h.error ?? ''}`;
    const key = JSON.stringify([summary, labels, source]);
    const entry = out.get(key);
    if (entry) entry.hosts.push(h.name);
    else out.set(key, { summary, labels, source, hosts: [h.name] });
  }
  return [...out.values()];
}

/** facts.extra.access in words ('' when not gathered, as on a replayed host). */
export function accessText(a: HostAccess | undefined): string {
  if (!a) return '';
  const who = `as ${a.user ?? 'an unknown user'}${a.uid !== undefined && a.uid !== 0 ? ` (uid ${a.uid})` : ''}`;
  if (a.root === 'login') return who;
  if (a.root === 'sudo') return `${who}, root-only commands through ${a.become ?? 'sudo'}`;
  return `${who}, root-only commands not run: ${a.why ?? 'not root'}`;
}
