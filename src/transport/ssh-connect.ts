import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import ssh2, { type ConnectConfig } from 'ssh2';
import type { HostConnection } from '../config/host-connection.ts';
import { HwqualError } from '../model/errors.ts';
import { fingerprintOf, hostKeyAlgorithms, keyTypeOf, parseKnownHosts, verifyHostKey } from './known-hosts.ts';
import { loadAuth } from './ssh-auth.ts';
import { SshConnection } from './ssh-connection.ts';
import { connectError, type Ssh2Error } from './ssh-errors.ts';

export { SshConnection };

export interface OpenOptions {
  /** A stream to the host's sshd (through a jump host) instead of a TCP connection. */
  sock?: Duplex;
  /** This is a reconnect after a drop (changes how network faults are reported). */
  reconnect: boolean;
  /** Called when the TCP connection (or the jump stream) is up, before the SSH handshake. */
  onSocket?: () => void;
}

/** Connect, check the host key strictly against known_hosts, log in; resolves once the connection is ready. */
export async function openConnection(host: HostConnection, opts: OpenOptions): Promise<SshConnection> {
  const auth = await loadAuth(host);
  const known = parseKnownHosts(await readKnownHosts(host));
  const algos = hostKeyAlgorithms(known, host.address, host.port);
  const client = new ssh2.Client();
  client.on('error', () => {}); // ssh2 may emit more than one error while failing; the promise below reports the first
  let hostKeyError: HwqualError | undefined;
  const config: ConnectConfig = {
    host: host.address,
    port: host.port,
    username: host.user,
    privateKey: auth.privateKey,
    passphrase: auth.passphrase,
    agent: auth.agent,
    sock: opts.sock,
    readyTimeout: host.ssh.connectTimeoutSec * 1000,
    keepaliveInterval: host.ssh.keepaliveIntervalSec * 1000,
    keepaliveCountMax: host.ssh.keepaliveCountMax,
    algorithms: algos.length ? { serverHostKey: algos as ssh2.ServerHostKeyAlgorithm[] } : undefined,
    hostVerifier: (key: Buffer) => {
      const verdict = verifyHostKey(known, host.address, host.port, key);
      if (verdict.ok) return true;
      hostKeyError = hostKeyRefused(host, key, verdict.reason, verdict.entry?.line);
      return false;
    },
  };
  return new Promise<SshConnection>((resolve, reject) => {
    const fail = (err: Ssh2Error) => {
      cleanup();
      client.destroy();
      if (!hostKeyError && algos.length && /no matching host key format/.test(err.message)) {
        hostKeyError = new HwqualError(
          'E_HOSTKEY',
          `${host.name}: ${host.address} port ${host.port} offers none of the host key types listed for it ` +
            `in ${host.knownHosts} (${algos.join(', ')})`,
          { host: host.name, cause: err },
        );
      }
      reject(hostKeyError ?? connectError(host, err, opts.reconnect));
    };
    const onError = (err: Ssh2Error) => fail(err);
    const onClose = () =>
      fail(Object.assign(new Error('connection closed during handshake'), { level: 'client-socket' }));
    const onReady = () => {
      cleanup();
      resolve(new SshConnection(client, host));
    };
    const cleanup = () => {
      client.off('error', onError).off('close', onClose).off('ready', onReady);
    };
    client.on('error', onError).on('close', onClose).on('ready', onReady);
    if (opts.onSocket) client.once('connect', opts.onSocket);
    try {
      client.connect(config);
    } catch (err) {
      fail(Object.assign(err as Error, { level: 'client-authentication' }));
    }
  });
}

async function readKnownHosts(host: HostConnection): Promise<string> {
  try {
    return await readFile(host.knownHosts, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new HwqualError('E_HOSTKEY', `cannot read known_hosts ${host.knownHosts}: ${(err as Error).message}`, {
      host: host.name,
      cause: err,
    });
  }
}

function hostKeyRefused(
  host: HostConnection,
  key: Buffer,
  reason: 'unknown' | 'changed' | 'revoked',
  line?: number,
): HwqualError {
  const id = `${keyTypeOf(key)} ${fingerprintOf(key)}`;
  const at = `${host.address} port ${host.port}`;
  const text =
    reason === 'unknown'
      ? `host key of ${at} is not in ${host.knownHosts} (${id}); add it after checking it out of band`
      : reason === 'changed'
        ? `host key of ${at} CHANGED: it offered ${id}, which does not match ${host.knownHosts}:${line}; refusing`
        : `host key of ${at} is marked @revoked in ${host.knownHosts}:${line} (${id}); refusing`;
  return new HwqualError('E_HOSTKEY', `${host.name}: ${text}`, { host: host.name });
}
