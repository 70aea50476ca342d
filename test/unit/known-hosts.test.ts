import { describe, expect, it } from 'vitest';
import {
  entryMatches,
  fingerprintOf,
  hostKeyAlgorithms,
  keyTypeOf,
  knownHostsName,
  parseKnownHosts,
  verifyHostKey,
} from '../../src/transport/known-hosts.ts';

// Keys and hashed lines made with real ssh-keygen (`ssh-keygen -H` hashed "[10.1.2.3]:2222" and "node7.lab").
const K1 = 'AAAAC3NzaC1lZDI1NTE5AAAAIB/jwwBq4i/t64FPCdSL1i+ISroPpYNFsJ+CCrxphzvq';
const K1_FP = 'SHA256:OVXqXyKeobOx3J/N1wVEzm9Eg1gNgl+QTCRAvoTNfdo'; // ssh-keygen -lf
const K2 = 'AAAAC3NzaC1lZDI1NTE5AAAAICgsPKq+79sD41I6OBEha7YowcRvsPsR2jEysEukXB9J';
const HASHED_PORT = `|1|ONUooXrccgxAvRLCG1gQOHdT5KE=|fw5OLc47DJF8yhfAXFvARHIcYfg= ssh-ed25519 ${K1}`;
const HASHED_NAME = `|1|P1ptVzlziHUHkshTHpN+uaLjyv4=|5L0dGwU6LeUS3KKelgG3CQV5Ls0= ssh-ed25519 ${K1}`;
const blob = (b64: string) => Buffer.from(b64, 'base64');

describe('parseKnownHosts', () => {
  it('skips comments, blank and malformed lines and keeps line numbers', () => {
    const entries = parseKnownHosts(
      [
        '# a comment',
        '',
        `host1,10.0.0.1 ssh-ed25519 ${K1} user@box`,
        'garbage',
        `@weird host2 ssh-ed25519 ${K1}`,
        `   host3 ssh-ed25519 ${K2}`,
      ].join('\n'),
    );
    expect(entries.map((e) => [e.line, e.hosts, e.marker])).toEqual([
      [3, 'host1,10.0.0.1', null],
      [6, 'host3', null],
    ]);
    expect(entries[0]).toMatchObject({ keyType: 'ssh-ed25519', keyBase64: K1 });
  });

  it('reads @revoked and @cert-authority markers', () => {
    const entries = parseKnownHosts(`@revoked * ssh-ed25519 ${K2}\n@cert-authority *.lab ssh-ed25519 ${K1}\n`);
    expect(entries.map((e) => e.marker)).toEqual(['revoked', 'cert-authority']);
  });
});

describe('host matching', () => {
  it('uses [host]:port for ports other than 22', () => {
    expect(knownHostsName('10.1.2.3', 22)).toBe('10.1.2.3');
    expect(knownHostsName('10.1.2.3', 2222)).toBe('[10.1.2.3]:2222');
    const [plain] = parseKnownHosts(`10.1.2.3 ssh-ed25519 ${K1}`);
    expect(entryMatches(plain!, '10.1.2.3', 22)).toBe(true);
    expect(entryMatches(plain!, '10.1.2.3', 2222)).toBe(false);
    const [ported] = parseKnownHosts(`[10.1.2.3]:2222 ssh-ed25519 ${K1}`);
    expect(entryMatches(ported!, '10.1.2.3', 2222)).toBe(true);
    expect(entryMatches(ported!, '10.1.2.3', 22)).toBe(false);
  });

  it('matches hashed entries made by ssh-keygen -H, and only those names', () => {
    const [byPort, byName] = parseKnownHosts(`${HASHED_PORT}\n${HASHED_NAME}`);
    expect(entryMatches(byPort!, '10.1.2.3', 2222)).toBe(true);
    expect(entryMatches(byPort!, '10.1.2.3', 22)).toBe(false);
    expect(entryMatches(byPort!, '10.1.2.4', 2222)).toBe(false);
    expect(entryMatches(byName!, 'node7.lab', 22)).toBe(true);
    expect(entryMatches(byName!, 'node8.lab', 22)).toBe(false);
  });

  it('supports wildcards, case-insensitivity and negation', () => {
    const [e] = parseKnownHosts(`*.lab,!bad.lab,node?.dc ssh-ed25519 ${K1}`);
    expect(entryMatches(e!, 'n1.lab', 22)).toBe(true);
    expect(entryMatches(e!, 'N1.LAB', 22)).toBe(true);
    expect(entryMatches(e!, 'bad.lab', 22)).toBe(false);
    expect(entryMatches(e!, 'node1.dc', 22)).toBe(true);
    expect(entryMatches(e!, 'node10.dc', 22)).toBe(false);
    expect(entryMatches(e!, 'n1.labx', 22)).toBe(false);
  });
});

describe('verifyHostKey', () => {
  it('accepts a listed key, hashed or not', () => {
    expect(verifyHostKey(parseKnownHosts(HASHED_PORT), '10.1.2.3', 2222, blob(K1))).toMatchObject({ ok: true });
    expect(verifyHostKey(parseKnownHosts(`node7.lab ssh-ed25519 ${K1}`), 'node7.lab', 22, blob(K1))).toMatchObject({
      ok: true,
    });
  });

  it('calls a different key for a listed host "changed", and an unlisted host "unknown"', () => {
    const entries = parseKnownHosts(`\n${HASHED_PORT}`);
    expect(verifyHostKey(entries, '10.1.2.3', 2222, blob(K2))).toMatchObject({
      ok: false,
      reason: 'changed',
      entry: { line: 2 },
    });
    expect(verifyHostKey(entries, '10.9.9.9', 2222, blob(K1))).toEqual({ ok: false, reason: 'unknown' });
  });

  it('refuses a @revoked key even when it is also listed', () => {
    const entries = parseKnownHosts(`@revoked * ssh-ed25519 ${K1}\nnode7.lab ssh-ed25519 ${K1}`);
    expect(verifyHostKey(entries, 'node7.lab', 22, blob(K1))).toMatchObject({ ok: false, reason: 'revoked' });
  });

  it('ignores @cert-authority lines (certificates are not supported)', () => {
    const entries = parseKnownHosts(`@cert-authority *.lab ssh-ed25519 ${K1}`);
    expect(verifyHostKey(entries, 'n1.lab', 22, blob(K1))).toEqual({ ok: false, reason: 'unknown' });
  });
});

describe('key helpers', () => {
  it('prints fingerprints as ssh-keygen -l does and reads the key type from the blob', () => {
    expect(fingerprintOf(blob(K1))).toBe(K1_FP);
    expect(keyTypeOf(blob(K1))).toBe('ssh-ed25519');
    expect(keyTypeOf(Buffer.from([1, 2]))).toBe('unknown');
  });

  it('offers the host key algorithms listed for the host, RSA as its SHA-2 variants', () => {
    const entries = parseKnownHosts(
      `[h]:2200 ssh-rsa AAAA\n[h]:2200 ssh-ed25519 ${K1}\nother ecdsa-sha2-nistp256 AAAA\n@revoked [h]:2200 ` +
        `ecdsa-sha2-nistp256 AAAA`,
    );
    expect(hostKeyAlgorithms(entries, 'h', 2200)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519']);
    expect(hostKeyAlgorithms(entries, 'nowhere', 22)).toEqual([]);
  });
});
