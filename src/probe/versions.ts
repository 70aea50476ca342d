/** Tool versions and a tiny comparator for dotted versions. Pure. */

/** `qemu-system-x86_64 --version` → "7.2.22" (first line: "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-…)"). */
export function parseQemuVersion(text: string): string | undefined {
  return /QEMU emulator version (\d+(?:\.\d+)+)/.exec(text)?.[1];
}

/**
 * libvirt version from `libvirtd --version` ("libvirtd (libvirt) 9.0.0"), `virsh --version` ("9.0.0") or
 * `virsh version` ("Using library: libvirt 9.0.0").
 */
export function parseLibvirtVersion(text: string): string | undefined {
  return (
    /libvirtd \(libvirt\) (\d+(?:\.\d+)+)/.exec(text)?.[1] ??
    /Using library: libvirt (\d+(?:\.\d+)+)/.exec(text)?.[1] ??
    /^\s*(\d+\.\d+(?:\.\d+)*)\s*$/m.exec(text)?.[1]
  );
}

/** `ssh -V` → "9.2p1" (OpenSSH's own form: "OpenSSH_9.2p1 Debian-2+deb12u10, OpenSSL 3.0.17 1 Jul 2025"). */
export function parseOpensshVersion(text: string): string | undefined {
  return /OpenSSH_(\d+(?:\.\d+)+(?:p\d+)?)/.exec(text)?.[1];
}

/** `cryptsetup --version` → "2.6.1" ("cryptsetup 2.6.1 flags: UDEV BLKID KEYRING …"). */
export function parseCryptsetupVersion(text: string): string | undefined {
  return /^cryptsetup (\d+(?:\.\d+)+)/m.exec(text)?.[1];
}

/** Compares dotted numeric versions: missing parts count as 0 ("7.2" = "7.2.0"); non-numeric tails are ignored. */
export function compareVersions(a: string, b: string): number {
  const pa = numericParts(a);
  const pb = numericParts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d < 0 ? -1 : 1;
  }
  return 0;
}

function numericParts(v: string): number[] {
  const m = /^\s*v?(\d+(?:\.\d+)*)/.exec(v);
  if (!m) throw new Error(`not a version: ${JSON.stringify(v)}`);
  return m[1].split('.').map(Number);
}

/**
 * Whether `version` is in `range`: one or more space-separated (or comma-separated) comparators, all must hold —
 * `>=7.2`, `>8`, `<=9.1`, `<10`, `=7.2.0` (or a bare version, meaning =). Throws on a malformed range.
 */
export function satisfies(version: string, range: string): boolean {
  const parts = range
    .replace(/(>=|<=|>|<|==?)\s+/g, '$1')
    .split(/[\s,]+/)
    .filter(Boolean);
  if (!parts.length) throw new Error(`empty version range`);
  return parts.every((p) => {
    const m = /^(>=|<=|>|<|==?)?\s*(v?\d+(?:\.\d+)*)$/.exec(p);
    if (!m) throw new Error(`bad version comparator ${JSON.stringify(p)} in ${JSON.stringify(range)}`);
    const c = compareVersions(version, m[2]);
    switch (m[1]) {
      case '>=':
        return c >= 0;
      case '>':
        return c > 0;
      case '<=':
        return c <= 0;
      case '<':
        return c < 0;
      default:
        return c === 0;
    }
  });
}
