// The encryption suite through the CLI on two hosts at once: this machine (`local`, LocalTransport) and a
// lab-in-a-box host (its own network namespace and sshd; this machine's kernel and QEMU, TCG) over SSH, where key
// files reach the host through SFTP with mode 0600. Real cryptsetup, qemu-img / qemu-io and QEMU. What this kernel
// cannot do (device-mapper, the crypto user API) must be skipped with cryptsetup's own reason, never passed; what
// the test expects is read from the machine here, independently.
import { execSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { labDown, labUp } from '../../src/lab/index.ts';
import type { CaseResult, RunResults } from '../../src/model/result.ts';
import { keyInProcessList } from '../../suites/encryption/qemu-disk.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';

const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
const crypto = readFileSync('/proc/crypto', 'utf8');
const hasDm = /device-mapper/.test(readFileSync('/proc/devices', 'utf8'));
const hasAfAlg = /^ALG\b/m.test(readFileSync('/proc/net/protocols', 'utf8'));
const hasKvm = (() => {
  try {
    execSync('test -c /dev/kvm');
    return true;
  } catch {
    return false;
  }
})();
const tmpEntries = () => readdirSync('/tmp').filter((n) => /^hwqual-(qemu-)?luks-/.test(n));

const root = mkdtempSync('/tmp/hwq-enc-');
let res: RunResults;
let out: string;
let code: number | null;
let labHost: string;
let before: string[];
beforeAll(async () => {
  before = tmpEntries();
  const state = await labUp({ dir: join(root, 'lab'), hosts: 1 });
  labHost = state.hosts[0].name;
  // The lab's own file plus `local`, beside it (its key and known_hosts paths are relative to the file).
  const lab = parseYaml(readFileSync(join(root, 'lab', 'lab.yaml'), 'utf8')) as { hosts: object[] };
  writeFileSync(
    join(root, 'lab', 'lab-and-local.json'),
    JSON.stringify({ ...lab, hosts: [{ name: 'local', address: 'local' }, ...lab.hosts] }),
  );
  writeFileSync(
    join(root, 'plan.json'),
    JSON.stringify({
      name: 'enc',
      suites: ['encryption'],
      settings: { accel: 'tcg' },
      timeouts: { case: 300 },
      concurrency: 4,
    }),
  );
  out = join(root, 'out');
  const r = await runCli([
    'run',
    '--lab',
    join(root, 'lab', 'lab-and-local.json'),
    '--plan',
    join(root, 'plan.json'),
    '--out',
    out,
  ]);
  code = r.code;
  res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
}, 600_000);
afterAll(async () => {
  await labDown(join(root, 'lab')).catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

const hosts = () => ['local', labHost];
const on =
  (host: string) =>
  (id: string): CaseResult => {
    const c = res.cases.find((r) => r.caseId === id && r.host === host);
    if (!c) throw new Error(`no case ${id} on ${host}`);
    return c;
  };
const factsOf = (host: string) => res.hosts.find((h) => h.name === host)!.facts;

describe('encryption suite on local and on a lab-in-a-box host (SSH)', () => {
  it('runs on both hosts, local and over SSH, with no case in error', () => {
    expect([0, 1]).toContain(code);
    expect(res.hosts.map((h) => [h.name, h.transport, h.reachable])).toEqual([
      ['local', 'local', true],
      [labHost, 'ssh', true],
    ]);
    expect(res.cases.filter((c) => c.status === 'error').map((c) => `${c.host} ${c.caseId}: ${c.message}`)).toEqual([]);
  });

  it('crypto flags and the xts(aes) driver match what /proc says here', () => {
    const flags = /^flags\s*:(.*)$/m.exec(cpuinfo)![1].trim().split(/\s+/);
    const all = ['aes', 'vaes', 'vpclmulqdq', 'sha_ni', 'gfni'].every((f) => flags.includes(f));
    const accelerated = /^driver\s*:\s*xts-aes-(aesni|vaes|ce)/m.test(crypto);
    for (const host of hosts()) {
      const byId = on(host);
      expect(byId('cpu-crypto-flags').status).toBe(all ? 'passed' : 'failed');
      expect(byId('xts-aes-driver').status).toBe(accelerated ? 'passed' : 'failed');
      if (!accelerated)
        expect(byId('xts-aes-driver').actual).toMatch(/^no xts\(aes\) in \/proc\/crypto|^\S*(generic|fixed-time)/);
    }
  });

  it('luksFormat + luksDump on a file and the passphrase checks run here (no device-mapper needed)', () => {
    for (const host of hosts()) {
      expect(on(host)('luks-format').status).toBe('passed');
      expect(on(host)('luks-format').assertions.map((a) => a.name)).toEqual([
        'LUKS version',
        'data cipher',
        'luks format',
        'luks dump',
        'luks right-passphrase',
        'luks wrong-passphrase',
        'luks remove',
      ]);
      expect(factsOf(host).extra?.luks).toEqual({
        version: 2,
        cipher: 'aes-xts-plain64',
        keyBits: 512,
        pbkdf: 'pbkdf2',
      });
    }
  });

  it("the open/verify round trip is skipped with cryptsetup's device-mapper error where the kernel has none", () => {
    for (const host of hosts()) {
      const c = on(host)('luks-roundtrip');
      if (hasDm) {
        expect(c.status).toBe('passed');
        continue;
      }
      expect(c.status).toBe('skipped');
      expect(c.message).toMatch(
        new RegExp(
          `^cannot open a LUKS device on ${host}: no device-mapper — cryptsetup: Cannot initialize device-mapper\\.`,
        ),
      );
      // Format ran (and was checked) before the skip.
      expect(c.assertions.map((a) => [a.name, a.passed])).toEqual([
        ['luks format', true],
        ['luks remove', true],
      ]);
    }
  });

  it('cryptsetup benchmark is skipped with the algif_skcipher reason where the kernel has no crypto user API', () => {
    for (const host of hosts()) {
      const c = on(host)('luks-benchmark');
      if (hasAfAlg) {
        expect(['passed', 'skipped']).toContain(c.status);
        continue;
      }
      expect(c).toMatchObject({
        status: 'skipped',
        message: expect.stringMatching(/no crypto user API.*Ensure you have algif_skcipher kernel module loaded\./),
      });
    }
  });

  it('LUKS qcow2 disk: no clear pattern in the file, guest reads it, ps never shows the key, a wrong key fails', () => {
    for (const host of hosts()) {
      const c = on(host)('qemu-luks-disk');
      expect(c.status, `${host}: ${c.message}`).toBe('passed');
      expect(c.assertions.map((a) => [a.name, a.passed, a.actual])).toEqual([
        ['clear pattern lines in the image file (grep -c)', true, '0'],
        [
          'first line the guest read from the encrypted disk',
          true,
          expect.stringMatching(/^HWQUAL-QEMU-LUKS-[0-9a-f]{16}$/),
        ],
        ['processes whose command line holds the key (ps)', true, '0'],
        ['processes naming the secret object by file (ps saw QEMU)', true, expect.stringMatching(/^[1-9]/)],
        ['QEMU refuses the wrong key', true, expect.stringContaining('Invalid password, cannot unlock any keyslot')],
      ]);
      expect([1, 2, 3]).toContain(c.metrics.qemu_img_create_attempts);
    }
  });

  it('the transcripts pass keys only as files: no secret data= and no key-file content on any command line', () => {
    const transcripts = res.cases
      .filter((c) => c.transcript)
      .map((c) => readFileSync(join(out, c.transcript!), 'utf8'))
      .join('\n');
    expect(transcripts).toContain('--object secret,id=hwqsec0,file=');
    expect(transcripts).not.toMatch(/secret,id=[^,\s]+,data=/);
    expect(transcripts).not.toMatch(/--key-file\s+-|--key-file=-/);
  });

  it('confidential computing is reported as facts with evidence; with no requirement the case passes', () => {
    const hasSev = /^flags\s*:.*\bsev\b/m.test(cpuinfo);
    for (const host of hosts()) {
      expect(on(host)('confidential-computing')).toMatchObject({ status: 'passed', assertions: [] });
      const cc = factsOf(host).extra?.cc as Record<string, { state: string; evidence: string[] }>;
      expect(Object.keys(cc)).toEqual(['sme', 'sev', 'sev-es', 'sev-snp', 'tme', 'tdx', 'sgx']);
      if (!hasSev) expect(cc.sev.state).toBe('absent');
      if (!hasKvm)
        expect(cc.sev.evidence).toContain(
          'qmp: QMP query-sev-capabilities: KVM not enabled (QEMU ran under TCG: it cannot say what KVM could do)',
        );
    }
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
    dir = tempDir('hwqual-ps-check-');
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

  it("counts the processes reading this key file by a secret object, never its own grep's", async () => {
    const file = join(dir, 'key');
    const qemuLike = spawn('sh', ['-c', 'sleep 30', `secret,id=hwqsec0,file=${file}`], { stdio: 'ignore' });
    const sh = (command: string) => Promise.resolve({ stdout: spawnSync('sh', ['-c', command]).stdout.toString() });
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect(await keyInProcessList(sh, file)).toEqual({ withKey: 0, withSecretObject: 1 });
      writeFileSync(join(dir, 'other-key'), 'other', { mode: 0o600 });
      expect((await keyInProcessList(sh, join(dir, 'other-key'))).withSecretObject).toBe(0);
    } finally {
      qemuLike.kill('SIGKILL');
    }
  });
});
