import { readFile } from 'node:fs/promises';
import ssh2 from 'ssh2';
import type { HostConnection } from '../config/host-connection.ts';
import { HwqualError } from '../model/errors.ts';
import { where } from './ssh-errors.ts';

/** What ssh2 needs to log in: a checked private key and/or an agent socket. */
export interface SshAuth {
  /** The key file's bytes (ssh2 takes only a Buffer/string: it parses it again, after our check here). */
  privateKey?: Buffer;
  passphrase?: string;
  agent?: string;
}

/** Read and check the credentials up front, so a bad key or a missing passphrase is a clear E_AUTH, not a stack. */
export async function loadAuth(host: HostConnection): Promise<SshAuth> {
  const fail = (msg: string, cause?: unknown) =>
    new HwqualError('E_AUTH', `${where(host)}: ${msg}`, { host: host.name, cause });
  const auth: SshAuth = {};
  if (host.ssh.agent) {
    const sock = process.env.SSH_AUTH_SOCK;
    if (sock) auth.agent = sock;
    else if (!host.identityFile)
      throw fail('ssh.agent is on but SSH_AUTH_SOCK is not set, and there is no identityFile');
  }
  if (host.identityFile) {
    const file = host.identityFile;
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch (err) {
      throw fail(`cannot read identity file ${file}: ${(err as Error).message}`, err);
    }
    let passphrase: string | undefined;
    if (host.passphraseEnv) {
      passphrase = process.env[host.passphraseEnv];
      if (passphrase === undefined)
        throw fail(
          `identity file ${file} needs a passphrase, but environment variable ${host.passphraseEnv} is not set`,
        );
    }
    const parsed = ssh2.utils.parseKey(data, passphrase);
    if (parsed instanceof Error) {
      if (/no passphrase given/i.test(parsed.message)) {
        throw fail(
          `identity file ${file} is passphrase-protected: name an environment variable holding it with passphraseEnv`,
        );
      }
      if (/bad passphrase|decrypt/i.test(parsed.message))
        throw fail(`wrong passphrase for identity file ${file} (from $${host.passphraseEnv})`, parsed);
      throw fail(`cannot use identity file ${file}: ${parsed.message}`, parsed);
    }
    auth.privateKey = data;
    auth.passphrase = passphrase;
  }
  if (!auth.privateKey && !auth.agent)
    throw fail('no identityFile and no ssh-agent (ssh.agent with SSH_AUTH_SOCK) to log in with');
  return auth;
}
