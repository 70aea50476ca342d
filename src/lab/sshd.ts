import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { dirname } from 'node:path';
import { HwqualError } from '../model/errors.ts';
import { hostStartArgv, type HostStart } from './host-mounts.ts';
import { poll } from '../util/poll.ts';
import { isAlive, recordProcess } from './proc.ts';
import { runOk } from './run.ts';
import type { RecordedProcess } from './types.ts';

export const SSHD = '/usr/sbin/sshd';

/** An ed25519 key pair at `path` (+ .pub), made once and reused by later `up`s. */
export async function ensureKey(path: string, comment: string): Promise<string> {
  if (!existsSync(path) || !existsSync(`${path}.pub`)) {
    mkdirSync(dirname(path), { recursive: true });
    await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { timeoutMs: 30_000 });
  }
  return readFileSync(`${path}.pub`, 'utf8');
}

/**
 * Start `sshd -D`, detached so it outlives this process: in a netns lab inside the host's network and mount
 * namespaces (host-mounts.ts; chrooted in its own root when it has one), on loopback as it is. Each step execs the
 * next, so the pid we get is sshd's own.
 */
export function startSshd(o: {
  config: string;
  logFile: string;
  /** netns lab: the host's namespace, the lab folder, the host's own root if any. */
  host?: Omit<HostStart, 'sshd' | 'logFile'>;
}): RecordedProcess | undefined {
  const sshd = `${o.host?.root?.lower ?? ''}${SSHD}`;
  if (!existsSync(sshd)) throw new HwqualError('E_COMMAND_NOT_FOUND', `${sshd} is missing: install openssh-server`);
  // sshd's privilege separation directory (root only; a non-root sshd runs without privilege separation); a netns
  // host makes its own in its private /run.
  if (process.getuid?.() === 0 && !o.host) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  writeFileSync(o.logFile, '');
  const argv = [SSHD, '-D', '-f', o.config, '-E', o.logFile];
  const [file, ...args] = o.host ? hostStartArgv({ ...o.host, sshd: argv, logFile: o.logFile }) : argv;
  const child = spawn(file!, args, { detached: true, stdio: 'ignore' });
  child.on('error', () => {
    /* reported below: no process recorded */
  });
  child.unref();
  return child.pid === undefined ? undefined : recordProcess(child.pid);
}

/** Resolve when `address:port` accepts a TCP connection; throw with the sshd log if the process died. */
export async function waitForSshd(o: {
  host: string;
  address: string;
  port: number;
  proc: RecordedProcess;
  logFile: string;
  timeoutMs?: number;
}): Promise<void> {
  const listening = async () => {
    if (await canConnect(o.address, o.port, 500)) return true;
    if (!isAlive(o.proc)) {
      throw new HwqualError('E_COMMAND', `sshd of ${o.host} exited: ${logTail(o.logFile) || 'no log'}`, {
        host: o.host,
      });
    }
    return undefined;
  };
  if (!(await poll(listening, { timeoutMs: o.timeoutMs ?? 20_000, everyMs: 50 }))) {
    throw new HwqualError(
      'E_TIMEOUT',
      `sshd of ${o.host} did not listen on ${o.address}:${o.port}: ${logTail(o.logFile)}`,
      { host: o.host },
    );
  }
}

export function logTail(path: string, lines = 3): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-lines).join(' | ');
  } catch {
    return '';
  }
}

export function canConnect(address: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: address, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Port 22 on `address` when nothing holds it, otherwise a free port the kernel picks. */
export async function pickPort(address: string, preferred = 22): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(undefined));
      srv.listen({ host: address, port, exclusive: true }, () => {
        const got = (srv.address() as { port: number }).port;
        srv.close(() => resolve(got));
      });
    });
  return (await tryListen(preferred)) ?? (await tryListen(0))!;
}
