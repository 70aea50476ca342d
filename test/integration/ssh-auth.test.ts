// SshTransport login and host-key checks against a real sshd: strict known_hosts (unknown, changed, revoked,
// hashed), RSA and passphrase-protected keys, ssh-agent, and the errors for each way it can go wrong.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostConfig } from '../../src/config/types.ts';
import { SshTransport } from '../../src/transport/ssh.ts';
import { freePort, startSshd, type SshdHandle } from '../support/sshd.ts';
import { waitFor } from '../support/wait.ts';
import { tempDir } from '../support/temp-dir.ts';

let sshd: SshdHandle;
let dir: string;
const keys = { rsa: '', locked: '', stranger: '' };

function keygen(name: string, type: string, pass = ''): string {
  const file = join(dir, name);
  execFileSync('ssh-keygen', [
    '-q',
    '-t',
    type,
    ...(type === 'rsa' ? ['-b', '2048'] : []),
    '-N',
    pass,
    '-C',
    name,
    '-f',
    file,
  ]);
  return file;
}
const pubOf = (file: string) => readFileSync(`${file}.pub`, 'utf8').trim();
const fingerprint = (pubFile: string) => execFileSync('ssh-keygen', ['-lf', pubFile]).toString().split(' ')[1]!;

/** Connect with this config, run one command, close; returns the output or throws the error. */
async function tryHost(host: HostConfig): Promise<string> {
  const t = new SshTransport(host);
  try {
    return (await t.exec('echo hello')).stdout;
  } finally {
    await t.close();
  }
}
function knownHosts(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

beforeAll(async () => {
  dir = tempDir('hwqual-ssh-auth-');
  keys.rsa = keygen('id_rsa', 'rsa');
  keys.locked = keygen('id_locked', 'ed25519', 'open sesame');
  keys.stranger = keygen('id_stranger', 'ed25519');
  sshd = await startSshd({ authorizedKeys: [pubOf(keys.rsa), pubOf(keys.locked)] });
});
afterAll(async () => {
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('host keys (strict known_hosts)', () => {
  it('refuses an unknown host key, naming host, port and the key fingerprint', async () => {
    const empty = knownHosts('empty', [`[127.0.0.1]:${sshd.port + 1} ${sshd.hostPublicKeys[0]}`]);
    const err = await tryHost(sshd.hostConfig({ knownHosts: empty })).catch((e) => e);
    expect(err).toMatchObject({ code: 'E_HOSTKEY' });
    expect(err.message).toContain(`127.0.0.1 port ${sshd.port}`);
    const fps = ['host_ed25519', 'host_rsa'].map((k) => fingerprint(join(sshd.dir, `${k}.pub`)));
    expect(fps.some((fp) => err.message.includes(fp))).toBe(true);
    await expect(tryHost(sshd.hostConfig({ knownHosts: join(dir, 'absent') }))).rejects.toMatchObject({
      code: 'E_HOSTKEY',
    });
    expect(sshd.acceptedConnections()).toBe(0); // refused before logging in
  });

  it('refuses a changed host key', async () => {
    const other = keygen('other_host', 'ed25519');
    const file = knownHosts('changed', [`[127.0.0.1]:${sshd.port} ${pubOf(other).split(' ').slice(0, 2).join(' ')}`]);
    const err = await tryHost(sshd.hostConfig({ knownHosts: file })).catch((e) => e);
    expect(err).toMatchObject({ code: 'E_HOSTKEY' });
    expect(err.message).toMatch(/CHANGED/);
    expect(err.message).toContain(fingerprint(join(sshd.dir, 'host_ed25519.pub')));
  });

  it('refuses a host that offers none of the key types listed for it', async () => {
    const ecdsa = keygen('ecdsa_host', 'ecdsa');
    const file = knownHosts('ecdsa-only', [
      `[127.0.0.1]:${sshd.port} ${pubOf(ecdsa).split(' ').slice(0, 2).join(' ')}`,
    ]);
    await expect(tryHost(sshd.hostConfig({ knownHosts: file }))).rejects.toMatchObject({
      code: 'E_HOSTKEY',
      message: expect.stringMatching(/none of the host key types/),
    });
  });

  it('refuses a key marked @revoked', async () => {
    const ed = sshd.hostPublicKeys[0];
    const file = knownHosts('revoked', [`@revoked [127.0.0.1]:${sshd.port} ${ed}`, `[127.0.0.1]:${sshd.port} ${ed}`]);
    await expect(tryHost(sshd.hostConfig({ knownHosts: file }))).rejects.toMatchObject({
      code: 'E_HOSTKEY',
      message: expect.stringMatching(/revoked/),
    });
  });

  it('accepts a hashed entry (ssh-keygen -H) and an RSA-only entry', async () => {
    const file = knownHosts('hashed', [`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKeys[0]}`]);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file]);
    expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|/);
    expect(await tryHost(sshd.hostConfig({ knownHosts: file }))).toBe('hello\n');
    const rsaOnly = knownHosts('rsa-only', [`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKeys[1]}`]);
    expect(await tryHost(sshd.hostConfig({ knownHosts: rsaOnly }))).toBe('hello\n');
  });
});

describe('login', () => {
  it('logs in with an RSA key', async () => {
    expect(await tryHost(sshd.hostConfig({ identityFile: keys.rsa }))).toBe('hello\n');
  });

  it('logs in with a passphrase-protected key, the passphrase from the named env var', async () => {
    const host = sshd.hostConfig({ identityFile: keys.locked, passphraseEnv: 'HWQUAL_TEST_KEY_PASS' });
    delete process.env.HWQUAL_TEST_KEY_PASS;
    await expect(tryHost(host)).rejects.toMatchObject({
      code: 'E_AUTH',
      message: expect.stringMatching(/HWQUAL_TEST_KEY_PASS is not set/),
    });
    process.env.HWQUAL_TEST_KEY_PASS = 'wrong';
    await expect(tryHost(host)).rejects.toMatchObject({
      code: 'E_AUTH',
      message: expect.stringMatching(/wrong passphrase/),
    });
    process.env.HWQUAL_TEST_KEY_PASS = 'open sesame';
    try {
      expect(await tryHost(host)).toBe('hello\n');
    } finally {
      delete process.env.HWQUAL_TEST_KEY_PASS;
    }
    await expect(tryHost(sshd.hostConfig({ identityFile: keys.locked }))).rejects.toMatchObject({
      code: 'E_AUTH',
      message: expect.stringMatching(/passphrase-protected/),
    });
  });

  it('logs in through ssh-agent (SSH_AUTH_SOCK)', async () => {
    const sock = join(dir, 'agent.sock');
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    const saved = process.env.SSH_AUTH_SOCK;
    try {
      await waitFor(() => {
        try {
          execFileSync('ssh-add', ['-l'], { env: { SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
          return true;
        } catch (e) {
          return (e as { status?: number }).status === 1;
        }
      }, 'ssh-agent');
      execFileSync('ssh-add', ['-q', keys.rsa], { env: { SSH_AUTH_SOCK: sock } });
      process.env.SSH_AUTH_SOCK = sock;
      const host = sshd.hostConfig({ identityFile: undefined, ssh: { ...sshd.host.ssh, agent: true } });
      expect(await tryHost(host)).toBe('hello\n');
      expect(sshd.logText()).toContain(fingerprint(`${keys.rsa}.pub`)); // sshd accepted the agent's key
      delete process.env.SSH_AUTH_SOCK;
      await expect(tryHost(host)).rejects.toMatchObject({
        code: 'E_AUTH',
        message: expect.stringMatching(/SSH_AUTH_SOCK/),
      });
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
      agent.kill('SIGKILL');
    }
  });

  it('reports a key the host does not accept as E_AUTH', async () => {
    await expect(tryHost(sshd.hostConfig({ identityFile: keys.stranger }))).rejects.toMatchObject({
      code: 'E_AUTH',
      message: expect.stringMatching(/authentication failed/),
    });
    await expect(tryHost(sshd.hostConfig({ identityFile: join(dir, 'no-such-key') }))).rejects.toMatchObject({
      code: 'E_AUTH',
    });
  });

  it('reports a port where nothing listens as E_HOST_UNREACHABLE', async () => {
    const port = await freePort();
    const err = await tryHost(sshd.hostConfig({ port })).catch((e) => e);
    expect(err).toMatchObject({ code: 'E_HOST_UNREACHABLE' });
    expect(err.message).toMatch(/^host unreachable: .*ECONNREFUSED/);
  });
});
