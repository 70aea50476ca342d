import { lines } from './text.ts';

export interface OsRelease {
  id?: string;
  versionId?: string;
  prettyName?: string;
  versionCodename?: string;
  name?: string;
  idLike?: string;
}

/** /etc/os-release: KEY=value, value optionally in double or single quotes with shell escapes. */
export function parseOsReleaseFields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines(text)) {
    const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2].trim();
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0])) {
      v = v.slice(1, -1);
      if (m[2].trim()[0] === '"') v = v.replace(/\\(["\\$`])/g, '$1');
    }
    out[m[1]] = v;
  }
  return out;
}

export function parseOsRelease(text: string): OsRelease {
  const f = parseOsReleaseFields(text);
  const r: OsRelease = {};
  if (f.ID) r.id = f.ID;
  if (f.VERSION_ID) r.versionId = f.VERSION_ID;
  if (f.PRETTY_NAME) r.prettyName = f.PRETTY_NAME;
  if (f.VERSION_CODENAME) r.versionCodename = f.VERSION_CODENAME;
  if (f.NAME) r.name = f.NAME;
  if (f.ID_LIKE) r.idLike = f.ID_LIKE;
  return r;
}
