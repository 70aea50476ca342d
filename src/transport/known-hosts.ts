import { createHash, createHmac } from 'node:crypto';

/** One line of an OpenSSH known_hosts file, parsed. Plain data. */
export interface KnownHostEntry {
  line: number;
  marker: 'revoked' | 'cert-authority' | null;
  /** Comma-separated patterns as written (`host`, `[host]:port`, `*.lab`, `!bad`), or one hashed `|1|salt|hash`. */
  hosts: string;
  keyType: string;
  /** The key blob as in the file (base64). */
  keyBase64: string;
}

export type HostKeyVerdict =
  | { ok: true; entry: KnownHostEntry }
  | { ok: false; reason: 'unknown' | 'changed' | 'revoked'; entry?: KnownHostEntry };

/** Parse known_hosts text; comments, blank and malformed lines are skipped. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0].startsWith('@')) {
      const m = fields.shift()!.slice(1);
      if (m !== 'revoked' && m !== 'cert-authority') return; // unknown marker: OpenSSH ignores the line
      marker = m;
    }
    const [hosts, keyType, keyBase64] = fields;
    if (!hosts || !keyType || !keyBase64 || !/^[A-Za-z0-9+/]+=*$/.test(keyBase64)) return;
    entries.push({ line: i + 1, marker, hosts, keyType, keyBase64 });
  });
  return entries;
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Does the entry's host field name this host and port? Handles hashed names, wildcards and negation. */
export function entryMatches(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  if (entry.hosts.startsWith('|1|')) return hashedMatches(entry.hosts, name);
  let matched = false;
  for (const pattern of entry.hosts.split(',')) {
    const negated = pattern.startsWith('!');
    if (!globMatches(negated ? pattern.slice(1) : pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function hashedMatches(field: string, name: string): boolean {
  const [, , salt, hash] = field.split('|');
  if (!salt || !hash) return false;
  const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return digest === hash;
}

function globMatches(pattern: string, name: string): boolean {
  const re = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(name.toLowerCase());
}

/** Strict check of a host key (raw blob) against the entries: only a listed, unrevoked key is accepted. */
export function verifyHostKey(entries: KnownHostEntry[], host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  const key = keyBlob.toString('base64');
  const forHost = entries.filter((e) => entryMatches(e, host, port));
  const revoked = forHost.find((e) => e.marker === 'revoked' && normalise(e.keyBase64) === key);
  if (revoked) return { ok: false, reason: 'revoked', entry: revoked };
  const plain = forHost.filter((e) => e.marker === null);
  const match = plain.find((e) => normalise(e.keyBase64) === key);
  if (match) return { ok: true, entry: match };
  // @cert-authority lines are not supported: they neither accept a key nor make it "changed".
  return plain.length ? { ok: false, reason: 'changed', entry: plain[0] } : { ok: false, reason: 'unknown' };
}

function normalise(base64: string): string {
  return Buffer.from(base64, 'base64').toString('base64');
}

/** `SHA256:…` as `ssh-keygen -l` prints it. */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH public key blob (`ssh-ed25519`, `ssh-rsa`, …). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  return len > 0 && len < 64 && keyBlob.length >= 4 + len ? keyBlob.subarray(4, 4 + len).toString('latin1') : 'unknown';
}

const RSA_ALGOS = ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
/** Host key algorithms ssh2 1.17 can verify. */
const SUPPORTED = new Set([
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  ...RSA_ALGOS,
]);

/**
 * Host key algorithms to offer, from the key types listed for this host (as OpenSSH does), so the server shows
 * a key we can check. Empty when nothing is listed (the default offer then applies and the key is refused).
 */
export function hostKeyAlgorithms(entries: KnownHostEntry[], host: string, port: number): string[] {
  const algos: string[] = [];
  for (const e of entries) {
    if (e.marker !== null || !entryMatches(e, host, port)) continue;
    for (const a of e.keyType === 'ssh-rsa' ? RSA_ALGOS : [e.keyType]) {
      if (SUPPORTED.has(a) && !algos.includes(a)) algos.push(a);
    }
  }
  return algos;
}
