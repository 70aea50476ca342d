// SshTransport against a real OpenSSH sshd on 127.0.0.1: exec, the channel cap, kill on timeout/cancel (as root),
// SFTP, unix-socket forwards, and a dropped connection that is noticed by keepalive and reopened on the next call.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandError } from '../../src/transport/command-error.ts';
import { SshTransport } from '../../src/transport/ssh.ts';
import { startSshd, type SshdHandle } from '../support/sshd.ts';
import { waitFor } from '../support/wait.ts';
import { tempDir } from '../support/temp-dir.ts';

let sshd: SshdHandle;
let t: SshTransport;
let dir: string;

beforeAll(async () => {
  sshd = await startSshd();
  t = new SshTransport(sshd.host);
  dir = tempDir('hwqual-ssh-test-');
});
afterAll(async () => {
  await t?.close();
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Pids of live processes whose command line matches the regex (the pattern itself never matches itself). */
async function livePids(regex: string): Promise<string[]> {
  const r = await t.exec(`pgrep -f '${regex}' || true`);
  return r.stdout.split('\n').filter(Boolean);
}

describe('exec', () => {
  it('returns stdout, stderr and the exit code, with LC_ALL=C and stdin', async () => {
    const r = await t.exec('echo out; echo err >&2; echo "$LC_ALL"; exit 3');
    expect(r).toMatchObject({
      host: 'sshd',
      exitCode: 0 + 3,
      stdout: 'out\nC\n',
      stderr: 'err\n',
      timedOut: false,
      cancelled: false,
    });
    expect((await t.exec('tr a-z A-Z', { stdin: 'hello\n' })).stdout).toBe('HELLO\n');
    expect((await t.exec('cat | wc -c')).stdout.trim()).toBe('0'); // no stdin = EOF at once
    expect((await t.exec('no-such-command-hwq')).exitCode).toBe(127);
    const quoted = await t.exec(`printf '%s\\n' "it's" '$HOME' "a  b"`);
    expect(quoted.stdout).toBe("it's\n$HOME\na  b\n");
  });

  it('runs 30 commands at once on ONE connection without "open failed"', async () => {
    const before = sshd.acceptedConnections();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => t.exec(`sleep 0.3; echo ${i}`)));
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 30 }, (_, i) => `${i}\n`));
    expect(results.every((r) => r.exitCode === 0)).toBe(true);
    expect(t.connectionsOpened).toBe(1);
    expect(sshd.acceptedConnections() - before).toBeLessThanOrEqual(1);
    expect(sshd.acceptedConnections()).toBe(1);
  });

  it('without the cap (maxChannels above MaxSessions) sshd refuses channels: the control for the above', async () => {
    const loose = new SshTransport(sshd.hostConfig({ ssh: { ...sshd.host.ssh, maxChannels: 30 } }));
    try {
      const settled = await Promise.allSettled(Array.from({ length: 30 }, () => loose.exec('sleep 0.5')));
      const refused = settled.filter((s) => s.status === 'rejected').map((s) => (s as PromiseRejectedResult).reason);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0]).toMatchObject({ code: 'E_CHANNEL' });
    } finally {
      await loose.close();
    }
  });

  it('shares one connect among concurrent callers', async () => {
    const fresh = new SshTransport(sshd.host);
    try {
      await Promise.all([fresh.connect(), fresh.connect(), fresh.exec('true'), fresh.readFile('/etc/hostname')]);
      expect(fresh.connectionsOpened).toBe(1);
    } finally {
      await fresh.close();
      await fresh.close(); // idempotent
    }
    await expect(fresh.exec('true')).rejects.toMatchObject({ code: 'E_INTERNAL' });
  });
});

describe('kill on timeout and cancel (logged in as root)', () => {
  it('a timed-out command and its children are gone from the host', async () => {
    expect((await t.exec('id -u')).stdout.trim()).toBe('0'); // the case where channel signals do not work
    const tag = `3${randomBytes(3).readUIntBE(0, 3)}`;
    const err = await t
      .exec(`echo started; sh -c 'sleep ${tag}1 & sleep ${tag}2'; echo never`, { timeoutMs: 4000 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect(err).toMatchObject({ code: 'E_TIMEOUT', result: { timedOut: true, exitCode: null, signal: 'SIGKILL' } });
    expect(err.result.stdout).toBe('started\n'); // it ran, and was stopped before the end
    expect(err.result.stderr).not.toContain('__hwqual_pgid');
    expect(await livePids(`sleep ${tag}[12]`)).toEqual([]);
  });

  it('an aborted command is killed and rejects with E_CANCELLED, keeping its partial output', async () => {
    const tag = `4${randomBytes(3).readUIntBE(0, 3)}`;
    const ac = new AbortController();
    const running = t.exec(`echo started; sleep ${tag}`, { signal: ac.signal }).catch((e) => e);
    await waitFor(async () => (await livePids(`slee[p] ${tag}`)).length > 0, 'the command to start');
    ac.abort();
    const err = await running;
    expect(err).toMatchObject({ code: 'E_CANCELLED', result: { cancelled: true, stdout: 'started\n' } });
    expect(await livePids(`slee[p] ${tag}`)).toEqual([]);
    await expect(t.exec('true', { signal: ac.signal })).rejects.toMatchObject({ code: 'E_CANCELLED' });
  });
});

describe('files and sockets', () => {
  it('writes and reads files over SFTP, with an exact mode', async () => {
    const file = join(dir, 'secret.key');
    await t.exec(`umask 022; echo old > ${file}; chmod 644 ${file}`);
    await t.writeFile(file, 'top secret\n', { mode: 0o600 });
    expect((await t.exec(`stat -c %a ${file}; cat ${file}`)).stdout).toBe('600\ntop secret\n');
    const big = randomBytes(1024 * 1024 + 17);
    await t.writeFile(join(dir, 'big.bin'), big, { mode: 0o640 });
    expect((await t.readFile(join(dir, 'big.bin'))).equals(big)).toBe(true);
    expect((await t.exec(`stat -c %a ${join(dir, 'big.bin')}`)).stdout).toBe('640\n');
    await expect(t.readFile(join(dir, 'missing'))).rejects.toMatchObject({ code: 'E_COMMAND' });
  });

  it('forwards a unix socket on the host, and frees the channel when the stream closes', async () => {
    const path = join(dir, 'echo.sock');
    const server: Server = createServer((s) => s.on('data', (d) => s.end(`pong:${d}`)));
    await new Promise<void>((r) => server.listen(path, r));
    const narrow = new SshTransport(sshd.hostConfig({ ssh: { ...sshd.host.ssh, maxChannels: 2 } }));
    try {
      for (let i = 0; i < 4; i++) {
        // more round trips than slots: a leaked slot would hang here
        const stream = await narrow.forwardUnixSocket(path);
        const reply = await new Promise<string>((resolve) => {
          let got = '';
          stream
            .on('data', (d: Buffer) => {
              got += d;
            })
            .on('end', () => resolve(got));
          stream.write(`ping${i}`);
        });
        expect(reply).toBe(`pong:ping${i}`);
        stream.destroy();
        await new Promise((r) => stream.once('close', r).destroyed && r(null));
      }
      await expect(narrow.forwardUnixSocket(join(dir, 'nobody.sock'))).rejects.toMatchObject({ code: 'E_VM' });
    } finally {
      await narrow.close();
      server.close();
    }
  });
});

describe('a dropped connection', () => {
  it('a silent link fails open commands with E_CONNECTION_LOST via keepalive; the next call reconnects', async () => {
    const lossy = new SshTransport(sshd.hostConfig({ ssh: { ...sshd.host.ssh, connectTimeoutSec: 2 } }));
    try {
      await lossy.exec('true');
      const running = lossy.exec('echo up; sleep 120').catch((e) => e);
      await waitFor(
        async () => (await t.exec('pgrep -x -f "sleep 120"', {}).catch(() => null))?.exitCode === 0,
        'the command to start',
      );
      sshd.freeze(); // TCP stays open, sshd stops answering: only keepalive can tell
      const err = await running;
      expect(err).toMatchObject({ code: 'E_CONNECTION_LOST' });
      expect(err.message).toMatch(/keepalive/);
      // Still frozen: the one reconnect this call makes fails (no SSH banner within connectTimeoutSec).
      await expect(lossy.exec('true')).rejects.toMatchObject({
        code: 'E_CONNECTION_LOST',
        message: expect.stringMatching(/reconnecting failed/),
      });
      await sshd.restart();
      expect((await lossy.exec('echo back')).stdout).toBe('back\n');
      expect(lossy.connectionsOpened).toBe(3);
    } finally {
      await lossy.close();
    }
  });

  it('sshd killed mid-command → E_CONNECTION_LOST; a later call reconnects to the restarted sshd', async () => {
    const lossy = new SshTransport(sshd.host);
    try {
      await lossy.exec('true');
      const running = lossy.exec('sleep 121');
      await waitFor(async () => (await t.exec('pgrep -x -f "sleep 121"')).exitCode === 0, 'the command to start');
      const restarting = sshd.restart(); // SIGKILL sshd and its connections, then start again on the same port
      await expect(running).rejects.toMatchObject({ code: 'E_CONNECTION_LOST' });
      await restarting;
      expect((await lossy.exec('echo again')).stdout).toBe('again\n');
      expect(lossy.connectionsOpened).toBe(2);
    } finally {
      await lossy.close();
    }
  });
});
