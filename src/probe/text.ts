/** Small helpers shared by the text parsers. Pure. */

/** `key : value` (tabs or spaces around the colon, as /proc files and re-pasted copies have them). */
export function splitKeyValue(line: string, sep = ':'): [string, string] | undefined {
  const i = line.indexOf(sep);
  if (i < 0) return undefined;
  return [line.slice(0, i).trim(), line.slice(i + sep.length).trim()];
}

/** Decimal or 0x-hex integer; undefined for anything else. */
export function toInt(value: string | undefined | null): number | undefined {
  if (value === undefined || value === null) return undefined;
  const v = value.trim();
  if (/^0x[0-9a-f]+$/i.test(v)) return Number.parseInt(v, 16);
  if (/^-?\d+$/.test(v)) return Number.parseInt(v, 10);
  return undefined;
}

export function words(value: string | undefined): string[] {
  return value ? value.split(/\s+/).filter(Boolean) : [];
}

export function lines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** `/a/b/name:value` lines (grep -r . DIR) or `name: value` lines → { name: value }. Empty values are kept. */
export function parsePathListing(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines(text)) {
    if (!line.trim()) continue;
    const kv = splitKeyValue(line);
    if (!kv) continue;
    const name = kv[0].split('/').pop() ?? kv[0];
    if (name) out[name] = kv[1];
  }
  return out;
}
