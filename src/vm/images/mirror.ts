import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';

/** The Debian mirror host roots are built from, and the InRelease that keys them. */

export const FALLBACK_MIRROR = 'http://deb.debian.org/debian';

interface AptSource {
  types: string[];
  uris: string[];
  suites: string[];
}

/**
 * The mirror apt already uses for the Debian archive: the first `deb` source of a plain suite (`bookworm`, not
 * `bookworm-security` or `-updates`), from one-line `.list` and deb822 `.sources` texts in apt's reading order. Pure.
 */
export function debianMirrorOf(texts: string[]): string | undefined {
  for (const text of texts) {
    for (const s of [...oneLineSources(text), ...deb822Sources(text)]) {
      if (!s.types.includes('deb')) continue;
      if (!s.suites.some((suite) => /^[a-z]+$/.test(suite))) continue;
      const uri = s.uris.find((u) => /^https?:\/\//.test(u) && !/security/.test(u));
      if (uri) return uri.replace(/\/+$/, '');
    }
  }
  return undefined;
}

function oneLineSources(text: string): AptSource[] {
  return text.split('\n').flatMap((raw) => {
    const line = raw
      .replace(/#.*/, '')
      .replace(/\[[^\]]*\]/, ' ')
      .trim();
    const [type, uri, suite] = line.split(/\s+/);
    return (type === 'deb' || type === 'deb-src') && uri && suite
      ? [{ types: [type], uris: [uri], suites: [suite] }]
      : [];
  });
}

function deb822Sources(text: string): AptSource[] {
  return text.split(/\n\s*\n/).flatMap((stanza) => {
    const field = (name: string) =>
      new RegExp(`^${name}:[ \\t]*(.*)$`, 'mi').exec(stanza)?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
    const enabled = field('Enabled')[0]?.toLowerCase() !== 'no';
    const types = field('Types');
    return enabled && types.length ? [{ types, uris: field('URIs'), suites: field('Suites') }] : [];
  });
}

/** The Debian mirror of this machine's apt sources (`/etc/apt/sources.list`, `sources.list.d/*`), or deb.debian.org. */
export function aptMirror(etcApt = '/etc/apt'): string {
  const texts: string[] = [];
  const read = (path: string) => {
    try {
      texts.push(readFileSync(path, 'utf8'));
    } catch {
      /* absent */
    }
  };
  read(join(etcApt, 'sources.list'));
  let names: string[] = [];
  try {
    names = readdirSync(join(etcApt, 'sources.list.d')).sort();
  } catch {
    /* no sources.list.d */
  }
  for (const n of names) if (/\.(list|sources)$/.test(n)) read(join(etcApt, 'sources.list.d', n));
  return debianMirrorOf(texts) ?? FALLBACK_MIRROR;
}

export interface InRelease {
  /** Its `Date:` field. */
  date: string;
  sha256: string;
}

/** `Date:` and sha256 of an InRelease text. Pure. */
export function inReleaseStamp(text: string): InRelease {
  const date = /^Date:\s*(.+)$/m.exec(text)?.[1]?.trim();
  if (!date) throw new Error('no Date: field (not an InRelease file)');
  return { date, sha256: createHash('sha256').update(text).digest('hex') };
}

/** `<mirror>/dists/<suite>/InRelease` (one ~140 KB fetch): throws with the reason when the mirror does not answer. */
export async function fetchInRelease(mirror: string, suite: string, timeoutMs = 20_000): Promise<InRelease> {
  const url = `${mirror}/dists/${suite}/InRelease`;
  try {
    return inReleaseStamp(await httpGet(url, timeoutMs));
  } catch (err) {
    throw new Error(`${url}: ${(err as Error).message}`);
  }
}

/** node:http rather than fetch(), whose port blocklist would answer "bad port" for a mirror on an odd port. */
function httpGet(url: string, timeoutMs: number, redirects = 3): Promise<string> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(url, { timeout: timeoutMs }, (res) => {
      const to = res.headers.location;
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && to && redirects > 0) {
        res.resume();
        resolve(httpGet(new URL(to, url).href, timeoutMs, redirects - 1));
        return;
      }
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trim()));
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code ?? err.message)));
  });
}
