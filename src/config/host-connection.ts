/**
 * What the transport needs to reach a host, and nothing more (src/transport imports this file alone of the config:
 * test/unit/boundaries.test.ts). HostConfig adds what the runner and the suites read.
 */
export interface HostConnection {
  name: string;
  /** 'local' = this machine through execa; anything else by SSH. */
  address: string;
  port: number;
  user: string;
  identityFile?: string;
  /** Name of an environment variable holding the key's passphrase. */
  passphraseEnv?: string;
  knownHosts: string;
  /** Another host of the lab to jump through. */
  jump?: string;
  ssh: Required<Omit<SshOptions, 'agent'>> & { agent: boolean };
  /** The lab's `become`: how commands that need root reach it when `user` is not root. Absent: they do not. */
  become?: Become;
}

/** Privilege escalation for the commands that need root (ExecOptions.root): `sudo -n -u <user>`, as Ansible does. */
export interface Become {
  method: 'sudo';
  /** Whom to become (becomeUser, default root). */
  user: string;
}

export interface SshOptions {
  /** Open channels at once on the host's one connection; below sshd's MaxSessions (10). Default 8. */
  maxChannels?: number;
  /** Seconds between keepalives; with keepaliveCountMax unanswered ones the connection counts as lost. */
  keepaliveIntervalSec?: number;
  keepaliveCountMax?: number;
  connectTimeoutSec?: number;
  /** Use ssh-agent from SSH_AUTH_SOCK (default: when SSH_AUTH_SOCK is set). */
  agent?: boolean;
}
