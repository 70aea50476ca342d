/**
 * A real OpenSSH sshd for tests: 127.0.0.1, a free port, generated host keys and client key, LogLevel VERBOSE.
 * Everything lives in a temp dir; stop() kills sshd and every connection process it forked.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { HostConfig } from '../../src/config/types.ts';
import { killTree, signalTree } from './process-tree.ts';
import { tempDir } from './temp-dir.ts';

export interface SshdOptions {
  /** Host name in the HostConfig (default 'sshd'). */
  name?: string;
  port?: number;
  clientKeyType?: 'ed25519' | 'rsa';
  /** Protect the client key with this passphrase (the HostConfig then names HWQUAL_TEST_PASSPHRASE_<PORT>). */
  clientKeyPassphrase?: string;
  /** More public key lines to accept (e.g. an ssh-agent's key). */
  authorizedKeys?: string[];
  /** More sshd_config lines. */
  extraConfig?: string[];
  /**
   * Give sessions HOME=<fixture dir>/home (default true), so the login shell does not source this machine's
   * ~/.bashrc: here root's runs `pyenv init`, which costs seconds per command under load.
   */
  isolateHome?: boolean;
}

export interface SshdHandle {
  port: number;
  dir: string;
  /** A HostConfig that reaches this sshd (fresh copy each call). */
  host: HostConfig;
  hostConfig(overrides?: Partial<HostConfig>): HostConfig;
  knownHostsFile: string;
  clientKeyFile: string;
  /** `type base64` of each host key. */
  hostPublicKeys: string[];
  logText(): string;
  /** "Accepted publickey for" lines: one per SSH connection (cumulative across restarts). */
  acceptedConnections(): number;
  /** SIGSTOP / SIGCONT sshd and its connection processes: a link that goes silent without closing. */
  freeze(): void;
  thaw(): void;
  /** Kill sshd and its connections, then start it again on the same port with the same keys. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of running) if (p.pid) killTree(p.pid);
});

export async function startSshd(opts: SshdOptions = {}): Promise<SshdHandle> {
  mkdirSync('/run/sshd', { recursive: true }); // privilege separation dir
  const dir = tempDir('hwqual-sshd-');
  const port = opts.port ?? (await freePort());
  const keygen = (file: string, type: string, pass = '') =>
    execFileSync('ssh-keygen', [
      '-q',
      '-t',
      type,
      ...(type === 'rsa' ? ['-b', '2048'] : []),
      '-N',
      pass,
      '-C',
      `hwqual-test-${type}`,
      '-f',
      file,
    ]);
  keygen(join(dir, 'host_ed25519'), 'ed25519');
  keygen(join(dir, 'host_rsa'), 'rsa');
  const clientKeyFile = join(dir, 'client_key');
  keygen(clientKeyFile, opts.clientKeyType ?? 'ed25519', opts.clientKeyPassphrase ?? '');
  const pub = (f: string) => readFileSync(`${f}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const hostPublicKeys = [pub(join(dir, 'host_ed25519')), pub(join(dir, 'host_rsa'))];
  writeFileSync(join(dir, 'authorized_keys'), `${[pub(clientKeyFile), ...(opts.authorizedKeys ?? [])].join('\n')}\n`);
  const knownHostsFile = join(dir, 'known_hosts');
  writeFileSync(knownHostsFile, hostPublicKeys.map((k) => `[127.0.0.1]:${port} ${k}\n`).join(''));
  const configFile = join(dir, 'sshd_config');
  const home = join(dir, 'home');
  mkdirSync(home);
  const isolate = opts.isolateHome === false ? [] : [`SetEnv HOME=${home}`];
  writeFileSync(configFile, sshdConfig(dir, port, [...isolate, ...(opts.extraConfig ?? [])]));
  const passphraseEnv = opts.clientKeyPassphrase ? `HWQUAL_TEST_PASSPHRASE_${port}` : undefined;
  if (passphraseEnv) process.env[passphraseEnv] = opts.clientKeyPassphrase;

  let log = '';
  let proc = await launch(configFile, port, (chunk) => {
    log += chunk;
  });
  const hostConfig = (overrides: Partial<HostConfig> = {}): HostConfig => ({
    name: opts.name ?? 'sshd',
    address: '127.0.0.1',
    migrationAddress: '127.0.0.1',
    port,
    user: userInfo().username,
    identityFile: clientKeyFile,
    passphraseEnv,
    knownHosts: knownHostsFile,
    labels: {},
    ssh: { maxChannels: 8, keepaliveIntervalSec: 1, keepaliveCountMax: 3, connectTimeoutSec: 10, agent: false },
    ...overrides,
  });
  const stopProc = async () => {
    running.delete(proc);
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      killTree(proc.pid!);
      await exited;
    }
  };
  return {
    port,
    dir,
    knownHostsFile,
    clientKeyFile,
    hostPublicKeys,
    hostConfig,
    get host() {
      return hostConfig();
    },
    logText: () => log,
    acceptedConnections: () => log.split('\n').filter((l) => l.includes('Accepted publickey for')).length,
    freeze: () => signalTree(proc.pid!, 'SIGSTOP'),
    thaw: () => signalTree(proc.pid!, 'SIGCONT'),
    restart: async () => {
      await stopProc();
      proc = await launch(configFile, port, (chunk) => {
        log += chunk;
      });
    },
    stop: async () => {
      await stopProc();
      if (passphraseEnv) delete process.env[passphraseEnv];
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function sshdConfig(dir: string, port: number, extra: string[]): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_ed25519')}`,
    `HostKey ${join(dir, 'host_rsa')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin yes',
    'StrictModes no',
    'UsePAM no',
    'PidFile none',
    'LogLevel VERBOSE',
    'AllowTcpForwarding yes',
    'AllowStreamLocalForwarding yes',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    ...extra,
    '',
  ].join('\n');
}

async function launch(configFile: string, port: number, onLog: (chunk: string) => void): Promise<ChildProcess> {
  const proc = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(proc);
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`sshd did not start on port ${port} within 10 s:\n${seen}`)), 10_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      running.delete(proc);
      proc.kill('SIGKILL');
      reject(err);
    };
    proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      seen += chunk;
      onLog(chunk);
      if (seen.includes(`Server listening on 127.0.0.1 port ${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('error', fail);
    proc.once('exit', (code) => fail(new Error(`sshd exited (${code}) before listening:\n${seen}`)));
  });
  return proc;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as { port: number };
        srv.close(() => resolve(port));
      });
  });
}
