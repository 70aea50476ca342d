/** Text of a lab host's sshd_config, known_hosts lines. Pure. */

export interface SshdConfigInput {
  address: string;
  port: number;
  hostKey: string;
  authorizedKeys: string;
}

export function sshdConfigText(c: SshdConfigInput): string {
  return [
    "# Written by `hwqual lab up`: one lab host's sshd, run as `sshd -D -f <this file> -E <log>`.",
    `ListenAddress ${c.address}:${c.port}`,
    `HostKey ${c.hostKey}`,
    `AuthorizedKeysFile ${c.authorizedKeys}`,
    'PermitRootLogin yes',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'PidFile none',
    'LogLevel VERBOSE',
    'MaxSessions 10',
    // The lab folder may sit under a world-writable /tmp, which StrictModes would reject for the key file.
    'StrictModes no',
    'PrintMotd no',
    // Bash sources ~/.bashrc for commands run by sshd unless SHLVL says it is nested. A lab host shares /root with
    // the controller, whose interactive set-up (pyenv, cargo…) does not belong on a host and costs seconds per command.
    'SetEnv SHLVL=1',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

/** A known_hosts line: `addr` for port 22, `[addr]:port` otherwise (OpenSSH's own rule). */
export function knownHostsLine(address: string, port: number, publicKey: string): string {
  const [type, key] = publicKey.trim().split(/\s+/);
  const who = port === 22 ? address : `[${address}]:${port}`;
  return `${who} ${type} ${key}`;
}
