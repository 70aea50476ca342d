import { parsePathListing } from './text.ts';

export type VulnerabilityState = 'not-affected' | 'mitigated' | 'vulnerable' | 'unknown';

/**
 * /sys/devices/system/cpu/vulnerabilities as listed by `grep -r . /sys/devices/system/cpu/vulnerabilities`
 * (`/sys/…/vulnerabilities/<name>:<text>` per line). `<name>: <text>` lines (the basename only) are read too.
 */
export function parseVulnerabilities(text: string): Record<string, string> {
  return parsePathListing(text);
}

/** How the kernel judges one entry. lscpu's "Mitigation; …" spelling counts as mitigated too. */
export function classifyVulnerability(text: string): VulnerabilityState {
  const t = text.trim();
  if (/^Not affected/i.test(t)) return 'not-affected';
  if (/^Mitigation[:;]/i.test(t)) return 'mitigated';
  if (/^Vulnerable/i.test(t)) return 'vulnerable';
  // Some entries start with a subsystem ("KVM: Mitigation: VMX disabled", "Processor vulnerable").
  if (/\bVulnerable\b/i.test(t) && !/Mitigation/i.test(t)) return 'vulnerable';
  if (/Mitigation/i.test(t)) return 'mitigated';
  return 'unknown';
}
