// The encryption suite on this machine through the real runner (LocalTransport): real cryptsetup, real qemu-img /
// qemu-io / QEMU (TCG). What this kernel cannot do (device-mapper, the crypto user API) must be skipped with
// cryptsetup's own reason, never passed; what the test expects is read from the machine here, independently.
import { execSync, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseResult } from '../../src/model/result.ts';
import { keyInProcessList } from '../../suites/encryption/qemu-disk.ts';
import { runSuitesLocally } from '../support/run-local.ts';

const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
const crypto = readFileSync('/proc/crypto', 'utf8');
const hasDm = /device-mapper/.test(readFileSync('/proc/devices', 'utf8'));
const hasAfAlg = /^ALG\b/m.test(readFileSync('/proc/net/protocols', 'utf8'));
const hasKvm = (() => { try { execSync('test -c /dev/kvm'); return true; } catch { return false; } })();
const tmpEntries = () => readdirSync('/tmp').filter((n) => /^hwqual-(qemu-)?luks-/.test(n));

let run: Awaited<ReturnType<typeof runSuitesLocally>>;
let before: string[];
beforeAll(async () => {
  before = tmpEntries();
  run = await runSuitesLocally(['encryption']);
}, 600_000);

describe('encryption suite on local', () => {
  const byId = (id: string): CaseResult => run.byId(id);

  it('crypto flags and the xts(aes) driver match what /proc says here', () => {
    const flags = /^flags\s*:(.*)$/m.exec(cpuinfo)![1].trim().split(/\s+/);
    const all = ['aes', 'vaes', 'vpclmulqdq', 'sha_ni', 'gfni'].every((f) => flags.includes(f));
    expect(byId('cpu-crypto-flags').status).toBe(all ? 'passed' : 'failed');
    const accelerated = /^driver\s*:\s*xts-aes-(aesni|vaes|ce)/m.test(crypto);
    expect(byId('xts-aes-driver').status).toBe(accelerated ? 'passed' : 'failed');
    if (!accelerated) expect(byId('xts-aes-driver').actual).toMatch(/^no xts\(aes\) in \/proc\/crypto|^\S*(generic|fixed-time)/);
  });

  it('luksFormat + luksDump on a file and the passphrase checks run here (no device-mapper needed)', () => {
    expect(byId('luks-format').status).toBe('passed');
    expect(byId('luks-format').assertions.map((a) => a.name)).toEqual([
      'LUKS version', 'data cipher', 'luks format', 'luks dump', 'luks right-passphrase', 'luks wrong-passphrase', 'luks remove',
    ]);
    expect(run.host.facts.extra?.luks).toEqual({ version: 2, cipher: 'aes-xts-plain64', keyBits: 512, pbkdf: 'pbkdf2' });
  });

  it('the open/verify round trip is skipped with cryptsetup\'s device-mapper error where the kernel has none', () => {
    const c = byId('luks-roundtrip');
    if (hasDm) { expect(c.status).toBe('passed'); return; }
    expect(c.status).toBe('skipped');
    expect(c.message).toMatch(/^cannot open a LUKS device on local: no device-mapper — cryptsetup: Cannot initialize device-mapper\./);
    // Format ran (and was checked) before the skip.
    expect(c.assertions.map((a) => [a.name, a.passed])).toEqual([['luks format', true], ['luks remove', true]]);
  });

  it('cryptsetup benchmark is skipped with the algif_skcipher reason where the kernel has no crypto user API', () => {
    const c = byId('luks-benchmark');
    if (hasAfAlg) { expect(['passed', 'skipped']).toContain(c.status); return; }
    expect(c).toMatchObject({ status: 'skipped', message: expect.stringMatching(/no crypto user API.*Ensure you have algif_skcipher kernel module loaded\./) });
  });

  it('the LUKS qcow2 disk: no clear pattern in the file, the guest reads the pattern, ps never shows the key, the wrong key is refused', () => {
    const c = byId('qemu-luks-disk');
    expect(c.status).toBe('passed');
    expect(c.assertions.map((a) => [a.name, a.passed, a.actual])).toEqual([
      ['clear pattern lines in the image file (grep -c)', true, '0'],
      ['first line the guest read from the encrypted disk', true, expect.stringMatching(/^HWQUAL-QEMU-LUKS-[0-9a-f]{16}$/)],
      ['processes whose command line holds the key (ps)', true, '0'],
      ['processes naming the secret object by file (ps saw QEMU)', true, expect.stringMatching(/^[1-9]/)],
      ['QEMU refuses the wrong key', true, expect.stringContaining('Invalid password, cannot unlock any keyslot')],
    ]);
    expect([1, 2]).toContain(c.metrics.qemu_img_create_attempts);
  });

  it('the transcripts pass keys only as files: no secret data= and no key-file content on any command line', () => {
    const transcripts = run.results.cases.filter((c) => c.transcript).map((c) => readFileSync(join(run.out, c.transcript!), 'utf8')).join('\n');
    expect(transcripts).toContain('--object secret,id=hwqsec0,file=');
    expect(transcripts).not.toMatch(/secret,id=[^,\s]+,data=/);
    expect(transcripts).not.toMatch(/--key-file\s+-|--key-file=-/);
  });

  it('confidential computing is reported as facts with evidence; with no requirement the case passes', () => {
    expect(byId('confidential-computing')).toMatchObject({ status: 'passed', assertions: [] });
    const cc = run.host.facts.extra?.cc as Record<string, { state: string; evidence: string[] }>;
    expect(Object.keys(cc)).toEqual(['sme', 'sev', 'sev-es', 'sev-snp', 'tme', 'tdx', 'sgx']);
    const hasSev = /^flags\s*:.*\bsev\b/m.test(cpuinfo);
    expect(cc.sev.state).toBe(hasSev ? expect.any(String) : 'absent');
    if (!hasKvm) expect(cc.sev.evidence).toContain('qmp: QMP query-sev-capabilities: KVM not enabled (QEMU ran under TCG: it cannot say what KVM could do)');
  });

  it('leaves no temp dir, key file or QEMU behind', () => {
    expect(tmpEntries().filter((n) => !before.includes(n))).toEqual([]);
    expect(execSync("pgrep -f 'hwqual-vms/(cc-probe|luks-disk)' || true").toString().trim()).toBe('');
  });
});

describe('the ps check can see a key on a command line', () => {
  let dir: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('counts a process whose argv holds the key, and none once it is gone', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hwqual-ps-check-'));
    const key = `decoy-${Date.now()}-key`;
    writeFileSync(join(dir, 'key'), key, { mode: 0o600 });
    const sh = (command: string) => Promise.resolve({ stdout: spawnSync('sh', ['-c', command]).stdout.toString() });
    const decoy = spawn('sh', ['-c', 'sleep 30', key], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect((await keyInProcessList(sh, join(dir, 'key'))).withKey).toBe(1);
    } finally {
      decoy.kill('SIGKILL');
    }
    await new Promise((r) => decoy.once('exit', r));
    expect((await keyInProcessList(sh, join(dir, 'key'))).withKey).toBe(0);
  });
});
