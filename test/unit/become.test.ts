// Non-root logins (issue 25) without a host: which commands go through sudo, what sudo's wrapper runs (with a
// stand-in `sudo` on the PATH that drops its options, or refuses like a rule that wants a password), how a case that
// needed root is reported, the lab file's `become`, and the per-user folders on hosts.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.ts';
import { normalizeLab } from '../../src/config/lab.ts';
import { HwqualError } from '../../src/model/errors.ts';
import type { ExecOptions, ExecResult } from '../../src/model/exec.ts';
import type { HostInfo } from '../../src/suite-api/types.ts';
import { CMD, CMD_ROOT, rootNeedOf } from '../../src/probe/commands.ts';
import { joinWhy } from '../../src/probe/fact-sources.ts';
import { parseId } from '../../src/probe/login.ts';
import { executeCase } from '../../src/runner/execute-case.ts';
import { needsRootError, runAs, sudoCommand, sudoRefusedError } from '../../src/transport/become.ts';
import { LocalTransport } from '../../src/transport/local.ts';
import { imageStagingRoot, ownedDirCommand, vmWorkDir, vmWorkRoot } from '../../src/vm/work-dirs.ts';
import { accessText } from '../../src/report/host-summary.ts';
import { probeOrSkip, readCommand } from '../../src/suite-api/probe.ts';
import { tempDir } from '../support/temp-dir.ts';

const tmp = tempDir('hwqual-become-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SUDO = { method: 'sudo' as const, user: 'root' };

describe('which commands go through become', () => {
  it('root logins run everything themselves; others use become for required and more, or refuse required', () => {
    for (const need of [undefined, 'no', 'required', 'more'] as const) expect(runAs(need, true, SUDO)).toBe('login');
    expect(runAs('no', false, SUDO)).toBe('login');
    expect(runAs('required', false, SUDO)).toBe('become');
    expect(runAs('more', false, SUDO)).toBe('become');
    expect(runAs('required', false, undefined)).toBe('refused');
    expect(runAs('more', false, undefined)).toBe('login');
  });

  it('is declared in the command table, looked up by the exact command text', () => {
    expect(CMD_ROOT.dmidecode).toBe('required');
    expect(CMD_ROOT.dmi).toBe('more');
    expect(CMD_ROOT.cpuinfo).toBe('no');
    expect(rootNeedOf(CMD.dmidecode)).toBe('required');
    expect(rootNeedOf(`${CMD.dmidecode} `)).toBeUndefined();
    expect(rootNeedOf('dmidecode')).toBeUndefined();
  });
});

describe("sudo's wrapper (a stand-in sudo on the PATH)", () => {
  const bin = join(tmp, 'bin');
  mkdirSync(bin);
  const fakeSudo = (body: string) => {
    writeFileSync(join(bin, 'sudo'), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, 'sudo'), 0o755);
  };
  const run = (command: string) =>
    spawnSync('sh', ['-c', sudoCommand(command, SUDO, 'MARK-1')], {
      encoding: 'utf8',
      env: { PATH: `${bin}:/usr/bin:/bin` },
    });

  it('runs the command through `sudo -n -u root -- sh -c`, marker first, LC_ALL=C and sbin on the PATH', () => {
    fakeSudo('echo "args: $1 $2 $3 $4 $5" >&2; shift 4; exec "$@"');
    const r = run('echo "$LC_ALL $PATH"; echo err >&2; exit 3');
    expect(r.status).toBe(3);
    expect(r.stderr).toBe('args: -n -u root -- sh\nMARK-1\nerr\n');
    expect(r.stdout).toMatch(/^C .*:\/usr\/sbin:\/sbin\n$/);
  });

  it("a sudo that wants a password prints no marker: the error says what to allow, in sudo's words", () => {
    fakeSudo('echo "Could not chdir to home directory" >&2; echo "sudo: a password is required" >&2; exit 1');
    const r = run('true');
    expect(r.stderr).not.toContain('MARK-1');
    const err = sudoRefusedError('node-a', 'qa', SUDO, { exitCode: r.status, stderr: r.stderr });
    expect(err.code).toBe('E_SUDO');
    expect(err.message).toMatch(/^sudo needs a password on node-a: configure NOPASSWD for qa to run commands as root /);
    expect(err.message).toContain('(e.g. `qa ALL=(root) NOPASSWD: ALL` in /etc/sudoers.d/hwqual;');
    expect(err.message).toMatch(/ — sudo: a password is required$/);
    expect(sudoRefusedError('node-a', 'qa', SUDO, { exitCode: 127, stderr: 'sh: 1: sudo: not found' }).message).toBe(
      'sudo is not installed on node-a (become: sudo) — sh: 1: sudo: not found',
    );
  });
});

describe('a case whose commands needed root (a non-root login without become)', () => {
  const host: HostInfo = {
    name: 'node-a',
    address: 'x',
    migrationAddress: 'x',
    labels: {},
    facts: {},
    replayed: false,
  };
  /** Refuses what needs root, as a non-root login without become does; answers the rest from a table. */
  const transport = {
    ...new LocalTransport('node-a'),
    kind: 'ssh' as const,
    host: 'node-a',
    async exec(command: string, o: ExecOptions = {}): Promise<ExecResult> {
      if (o.root === 'required') throw needsRootError('node-a', command);
      return {
        host: 'node-a',
        command,
        exitCode: 0,
        signal: null,
        stdout: command === CMD.meminfo ? 'MemTotal: 1 kB\n' : '',
        stderr: '',
        startedAt: new Date().toISOString(),
        durationMs: 1,
        timedOut: false,
        cancelled: false,
      };
    },
  };
  const attempt = (run: Parameters<typeof executeCase>[0]['planned']['def']['run']) =>
    executeCase({
      planned: {
        id: 't/c@node-a',
        suite: 't',
        def: { id: 'c', title: 'c', run },
        host,
        severity: 'major',
        params: {},
        tags: [],
      },
      plan: { name: 'p', require: {}, matrix: {}, settings: {}, accel: 'tcg', driver: 'qemu' },
      transport: transport as never,
      runSignal: new AbortController().signal,
      timeoutSec: 30,
      outDir: tmp,
      attempt: 1,
    });
  const reason = 'needs root on node-a (log in as root or set become: sudo)';

  it('is skipped with the reason when the refusal ends it (the CMD table says dmidecode needs root)', async () => {
    const a = await attempt(async (ctx) => {
      await ctx.run(CMD.dmidecode);
    });
    expect([a.status, a.message]).toEqual(['skipped', `${reason}: ${CMD.dmidecode}`]);
  });

  it('is skipped, not failed, when it fails for want of the value; a concrete failure stays a finding', async () => {
    const a = await attempt(async (ctx) => {
      const r = await readCommand(ctx, CMD.dmidecode);
      expect(r.needsRoot?.code).toBe('E_NEEDS_ROOT');
      ctx.expect.equal('product', undefined, 'R760');
    });
    expect(a.status).toBe('skipped');
    expect(a.message).toBe(
      `product: expected R760, got (absent) — the verdict needs what only root reads: ${reason}: ${CMD.dmidecode}`,
    );
    const b = await attempt(async (ctx) => {
      await readCommand(ctx, CMD.dmidecode);
      ctx.expect.equal('memory', 1, 2);
    });
    expect(b.status).toBe('failed');
  });

  it('probeOrSkip skips with the reason; reasons of one host group as "not recorded" ones do', async () => {
    const a = await attempt(async (ctx) => {
      await probeOrSkip(ctx, CMD.dmidecode, 'no table');
    });
    expect([a.status, a.message]).toEqual(['skipped', `${reason}: ${CMD.dmidecode}`]);
    expect(joinWhy([`${reason}: a`, `${reason}: b`, 'other'])).toBe(`${reason}: a; b; other`);
  });
});

describe('the lab file', () => {
  const load = (raw: object) => normalizeLab(raw as never, '/tmp/lab.yaml', 'lab.yaml', 'x'.repeat(64));

  it('become: sudo per host or in defaults, becomeUser default root; not for local hosts', () => {
    const lab = load({
      defaults: { user: 'qa', become: 'sudo' },
      hosts: [
        { name: 'a', address: '10.0.0.1' },
        { name: 'b', address: '10.0.0.2', becomeUser: 'admin' },
        { name: 'l', address: 'local' },
      ],
    });
    expect(lab.hosts.map((h) => h.become)).toEqual([SUDO, { method: 'sudo', user: 'admin' }, undefined]);
    expect(load({ hosts: [{ name: 'a', address: 'x', user: 'qa' }] }).hosts[0].become).toBeUndefined();
    expect(() => load({ hosts: [{ name: 'l', address: 'local', become: 'sudo' }] })).toThrow(ConfigError);
    expect(() => load({ hosts: [{ name: 'l', address: 'local', become: 'sudo' }] })).toThrow(
      /\/hosts\/0\/become is for SSH hosts/,
    );
  });
});

describe('who hwqual is on a host, and its folders there', () => {
  it('reads `id`, and says how root-only commands ran', () => {
    expect(parseId('uid=1001(qa) gid=1001(qa) groups=1001(qa),27(sudo),108(kvm)\n')).toEqual({
      user: 'qa',
      uid: 1001,
      groups: ['qa', 'sudo', 'kvm'],
    });
    expect(accessText({ user: 'root', uid: 0, root: 'login' })).toBe('as root');
    expect(accessText({ user: 'qa', uid: 1001, root: 'sudo', become: 'sudo -n -u root' })).toBe(
      'as qa (uid 1001), root-only commands through sudo -n -u root',
    );
    expect(accessText({ user: 'qa', uid: 1001, root: 'no', why: 'x' })).toBe(
      'as qa (uid 1001), root-only commands not run: x',
    );
  });

  it('VM work dirs and staged images are per user; root keeps the plain names', () => {
    expect(vmWorkRoot('root')).toBe('/tmp/hwqual-vms');
    expect(vmWorkRoot('qa')).toBe('/tmp/hwqual-vms-qa');
    expect(imageStagingRoot(undefined)).toBe('/var/tmp/hwqual-images');
    expect(imageStagingRoot('qa')).toBe('/var/tmp/hwqual-images-qa');
    expect(vmWorkDir({ user: 'qa' }, 'gi tiny')).toMatch(/^\/tmp\/hwqual-vms-qa\/gi_tiny-[0-9a-f]{12}$/);
  });

  it("uses a folder only when it is the login's own: not a symlink planted in its place", () => {
    const mine = join(tmp, 'mine');
    execFileSync('sh', ['-c', ownedDirCommand(mine, '700')]);
    expect(execFileSync('stat', ['-c', '%a', mine], { encoding: 'utf8' }).trim()).toBe('700');
    const planted = join(tmp, 'planted');
    symlinkSync(mine, planted);
    const r = spawnSync('sh', ['-c', ownedDirCommand(planted)], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/planted is not a folder of \S+ \(owned by another user, or a symlink\): remove it/);
  });

  it('the transports refuse what needs root with E_NEEDS_ROOT', () => {
    const e = needsRootError('node-a', 'dmesg');
    expect(e).toBeInstanceOf(HwqualError);
    expect([e.code, e.message]).toEqual([
      'E_NEEDS_ROOT',
      'needs root on node-a (log in as root or set become: sudo): dmesg',
    ]);
  });
});
