// A lab host reached as a non-root user (issue 25), on a 1-host lab-in-a-box: the plan host-os + server-inventory +
// encryption + guest-images (tiny, TCG) three times AT ONCE on the one host — as root, as a user created for the
// test without `become`, and as that user with `become: sudo` and a NOPASSWD rule — then with a rule that wants a
// password, and a timed-out `sleep` started through sudo. The lab host runs on this machine's root, so /etc/passwd and
// /etc/sudoers.d are the machine's: the user has a unique name and is removed after, with its sudo rule and staging
// folder, whatever happened. Real OpenSSH, sudo, cryptsetup, QEMU.
import { execFileSync, execSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab } from '../../src/config/lab.ts';
import { labDown, labUp } from '../../src/lab/index.ts';
import type { HostAccess } from '../../src/model/facts.ts';
import type { CaseResult, RunResults } from '../../src/model/result.ts';
import { CommandError } from '../../src/transport/command-error.ts';
import { createTransport } from '../../src/transport/create.ts';
import type { Transport } from '../../src/transport/types.ts';
import { imageStagingRoot } from '../../src/vm/work-dirs.ts';
import { runCli } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';

const user = `hwqs${Math.random().toString(36).slice(2, 8)}`;
const sudoers = `/etc/sudoers.d/hwqual-test-${user}`;
const root = mkdtempSync('/tmp/hwq-nonroot-');
const labDir = join(root, 'lab');
const HOST = 'node-a';
const QEMU_CASES = 'guest-images/boot\\[|encryption/qemu-luks-disk@';
const NEEDS_ROOT = `needs root on ${HOST} (log in as root or set become: sudo)`;
let userMade = false;

type Mode = 'root' | 'user' | 'become';
const runs = {} as Record<Mode, RunResults>;
let passwordRun: RunResults;

const labFile = (mode: Mode) => join(labDir, `lab-${mode}.yaml`);
const results = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
const cases = (r: RunResults) => new Map(r.cases.map((c) => [c.id, c]));
const access = (r: RunResults) => r.hosts[0].facts.extra?.access as HostAccess | undefined;
const show = (c: CaseResult | undefined) => c && `${c.id}: ${c.status}${c.message ? ` — ${c.message}` : ''}`;
const rule = (text: string) => {
  writeFileSync(sudoers, `${text}\n`, { mode: 0o440 });
  execFileSync('visudo', ['-cqf', sudoers]);
};

async function run(mode: Mode | 'password', extra: string[] = []): Promise<RunResults> {
  const out = join(root, `out-${mode}`);
  const lab = labFile(mode === 'password' ? 'become' : mode);
  const r = await runCli(['run', '--lab', lab, '--plan', join(root, 'plan.yaml'), '--out', out, ...extra]);
  if (!existsSync(join(out, 'results.json')))
    throw new Error(`${mode} run wrote no results (exit ${r.code}): ${r.stderr}`);
  return results(out);
}

beforeAll(async () => {
  chmodSync(root, 0o755); // sshd reads the lab's authorized key as the user
  await labUp({ dir: labDir, hosts: 1 });
  const home = join(labDir, `home-${user}`); // in the lab folder: the host's /tmp is its own
  execFileSync('useradd', ['-M', '-d', home, '-s', '/bin/sh', user]);
  userMade = true;
  execFileSync('usermod', ['-p', '*', user]); // no password, but not locked (sshd refuses locked accounts)
  mkdirSync(home);
  execFileSync('chown', [`${user}:`, home]);
  rule(`${user} ALL=(ALL) NOPASSWD: ALL`);
  // The lab's own file with another login, beside its key files (their paths are relative to it).
  const doc = parse(readFileSync(join(labDir, 'lab.yaml'), 'utf8')) as { defaults: Record<string, unknown> };
  const variants: Record<Mode, Record<string, unknown>> = {
    root: {},
    user: { user },
    become: { user, become: 'sudo' },
  };
  for (const [mode, v] of Object.entries(variants))
    writeFileSync(labFile(mode as Mode), stringify({ ...doc, defaults: { ...doc.defaults, ...v } }));
  writeFileSync(
    join(root, 'plan.yaml'),
    stringify({
      name: 'non-root',
      suites: ['host-os', 'server-inventory', 'encryption', 'guest-images'],
      images: ['tiny'],
      cpuModels: ['max'],
      settings: { accel: 'tcg' },
      timeouts: { case: 300 },
      concurrency: 4,
    }),
  );
  // All three at once on the one host: root and non-root runs share it (its /tmp, the machine's /var/tmp).
  [runs.root, runs.user, runs.become] = await Promise.all([
    run('root'),
    run('user'),
    // Without the two QEMU cases, which run no command that needs root (the user run boots them as this login):
    // a third of the CPU the three runs share on 2 cores.
    run('become', ['--grep-invert', QEMU_CASES]),
  ]);
}, 600_000);

afterAll(async () => {
  await labDown(labDir).catch(() => {});
  rmSync(sudoers, { force: true });
  if (userMade) execFileSync('userdel', ['-f', user]);
  rmSync(imageStagingRoot(user), { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
  expect(execSync(`getent passwd ${user} || true`).toString()).toBe('');
}, 60_000);

describe('a non-root login without become', () => {
  it('has no failed case that passes as root: what differs is a skip for want of root, saying so', () => {
    const asRoot = cases(runs.root);
    expect(runs.root.cases.filter((c) => c.status === 'error').map(show)).toEqual([]);
    expect(runs.user.cases.filter((c) => c.status === 'error').map(show)).toEqual([]);
    const differ = runs.user.cases.filter((c) => c.status !== asRoot.get(c.id)?.status);
    expect(differ.length).toBeGreaterThan(0);
    for (const c of differ) {
      expect(c.status, show(c)).toBe('skipped');
      expect(c.message, show(c)).toContain(NEEDS_ROOT);
    }
    // A case whose message says it needed root is skipped, never failed.
    for (const c of runs.user.cases.filter((x) => x.message?.includes('needs root')))
      expect(c.status, show(c)).toBe('skipped');
  });

  it('skips every root-only probe with the reason; sbin tools are found, nothing reads as missing', () => {
    const byCase = new Map(runs.user.cases.map((c) => [c.caseId, c]));
    expect(show(byCase.get('luks-roundtrip'))).toBe(
      `encryption/luks-roundtrip@${HOST}: skipped — ${NEEDS_ROOT}: the LUKS round trip opens a device-mapper device ` +
        '(cryptsetup open)',
    );
    // dmidecode needs root: the DMI cases say so (on this machine sysfs has no DMI either), never "no table".
    for (const id of ['system', 'bios']) expect(byCase.get(id)?.message, id).toContain(`${NEEDS_ROOT}: dmidecode`);
    for (const id of ['luks-format', 'cryptsetup-version', 'qemu-luks-disk'])
      expect(byCase.get(id)?.status).toBe('passed');
    const asRoot = cases(runs.root);
    for (const c of runs.user.cases.filter((x) => /not installed|not found|exited 127|no table/.test(x.message ?? '')))
      expect(c.message, show(c)).toBe(asRoot.get(c.id)?.message);
    const whyUser = (runs.user.hosts[0].facts.extra?.unavailableWhy ?? {}) as Record<string, string>;
    const whyRoot = (runs.root.hosts[0].facts.extra?.unavailableWhy ?? {}) as Record<string, string>;
    for (const [cmd, why] of Object.entries(whyUser)) if (!whyRoot[cmd]) expect(why, cmd).toContain(NEEDS_ROOT);
  });

  it('the host facts say who ran and that root-only commands did not', () => {
    expect(access(runs.root)).toEqual(expect.objectContaining({ user: 'root', uid: 0, root: 'login' }));
    expect(access(runs.user)).toEqual(expect.objectContaining({ user, root: 'no', why: NEEDS_ROOT }));
    expect(access(runs.user)?.uid).toBeGreaterThan(0);
    expect(readFileSync(join(root, 'out-user', 'report.md'), 'utf8')).toContain(
      `as ${user} (uid ${access(runs.user)?.uid}), root-only commands not run: ${NEEDS_ROOT}`,
    );
  });

  it('ran beside a root run on the same host: both boot the guest, each in its own folders', () => {
    for (const r of [runs.root, runs.user]) {
      const boot = r.cases.find((c) => c.caseId === 'boot');
      expect(boot?.status, show(boot)).toBe('passed');
    }
    expect(statSync(imageStagingRoot(user)).uid).toBe(Number(execSync(`id -u ${user}`).toString()));
    expect(statSync(imageStagingRoot('root')).uid).toBe(0);
  });
});

describe('the same user with become: sudo', () => {
  it('gets the same results as root, root-only commands through sudo -n', () => {
    const asRoot = cases(runs.root);
    const got = runs.become.cases.map((c) => [c.id, c.status]);
    expect(got).toEqual(runs.become.cases.map((c) => [c.id, asRoot.get(c.id)?.status]));
    expect(got.length).toBe(runs.root.cases.filter((c) => !new RegExp(QEMU_CASES).test(c.id)).length);
    expect(got.length).toBe(runs.root.cases.length - 2);
    expect(runs.become.cases.filter((c) => c.message?.includes('needs root')).map(show)).toEqual([]);
    expect(access(runs.become)).toEqual(expect.objectContaining({ user, root: 'sudo', become: 'sudo -n -u root' }));
  });

  it('kills a timed-out command started through sudo (its processes are root’s) on the host', async () => {
    const lab = loadLab(labFile('become'));
    const asUser = createTransport(lab.hosts[0], lab);
    const rootLab = loadLab(labFile('root'));
    const asRoot: Transport = createTransport(rootLab.hosts[0], rootLab);
    const secs = 600 + Math.floor(Math.random() * 300);
    const sleeping = async () =>
      (await asRoot.exec(`ps -eo user=,args= | grep '[s]leep ${secs}$' || true`)).stdout.trim();
    try {
      const stopped = asUser.exec(`sleep ${secs}`, { root: 'required', timeoutMs: 4000 }).catch((e: unknown) => e);
      expect(await waitFor(sleeping, `sleep ${secs} on the host`, 10_000)).toMatch(/^root /);
      const err = await stopped;
      expect(err).toBeInstanceOf(CommandError);
      expect((err as CommandError).code).toBe('E_TIMEOUT');
      expect((err as CommandError).message).not.toContain('could not kill');
      expect(await sleeping()).toBe('');
    } finally {
      await Promise.all([asUser.close(), asRoot.close()]);
    }
  });

  it('a sudo rule that wants a password: error naming the NOPASSWD rule to add, no hang', async () => {
    rule(`${user} ALL=(ALL) ALL`);
    passwordRun = await run('password', ['--grep', 'server-inventory/system@|encryption/luks-roundtrip@']);
    expect(passwordRun.cases.map((c) => c.caseId).sort()).toEqual(['luks-roundtrip', 'system']);
    for (const c of passwordRun.cases) {
      expect([c.status, c.errorCode], show(c)).toEqual(['error', 'E_SUDO']);
      expect(c.message).toMatch(
        new RegExp(`^sudo needs a password on ${HOST}: configure NOPASSWD for ${user} to run commands as root \\(`),
      );
      expect(c.message).toContain('— sudo: a password is required');
      expect(c.durationMs).toBeLessThan(30_000);
    }
    expect(access(passwordRun)?.root).toBe('no');
    expect(access(passwordRun)?.why).toMatch(/^sudo needs a password/);
  }, 120_000);
});
