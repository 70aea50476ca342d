/** Kernel command line tokens (quoted values kept together; the `--` separator and init args after it dropped). */
export function parseCmdline(text: string): string[] {
  const tokens: string[] = [];
  for (const m of text.trim().matchAll(/(?:[^\s"]+|"[^"]*")+/g)) {
    const t = m[0].replace(/"/g, '');
    if (t === '--') break;
    tokens.push(t);
  }
  return tokens;
}

/**
 * Whether the command line has `wanted`: `key=value` must match a token exactly, a bare `key` matches `key` or any
 * `key=…`. Later tokens win, as for the kernel (so "iommu=off iommu=pt" has iommu=pt).
 */
export function cmdlineHas(tokens: readonly string[], wanted: string): boolean {
  const eq = wanted.indexOf('=');
  if (eq < 0) return tokens.some((t) => t === wanted || t.startsWith(`${wanted}=`));
  const key = wanted.slice(0, eq);
  const last = [...tokens].reverse().find((t) => t === key || t.startsWith(`${key}=`));
  return last === wanted;
}
