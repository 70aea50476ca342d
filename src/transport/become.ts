import type { Become } from '../config/host-connection.ts';
import { HwqualError, needsRootReason } from '../model/errors.ts';
import type { RootNeed } from '../model/exec.ts';
import { COMMAND_ENV, shellQuote, treeKillCommand } from './shell.ts';

/**
 * Commands that need root on a host logged into as another user (ExecOptions.root, declared beside each command):
 * how they run, and what a refusal says. Pure.
 *
 * - `login`: as the login user (root already, or the command needs no root, or it only reads more as root).
 * - `become`: through `sudo -n -u <becomeUser> -- sh -c …` (the lab's `become: sudo`), in a channel of its own.
 * - `refused`: not run at all — E_NEEDS_ROOT, which a case reports as `skipped` with the reason.
 */
export type RunAs = 'login' | 'become' | 'refused';

export function runAs(need: RootNeed | undefined, loginIsRoot: boolean, become: Become | undefined): RunAs {
  if (!need || need === 'no' || loginIsRoot) return 'login';
  if (become) return 'become';
  return need === 'required' ? 'refused' : 'login';
}

/** What a non-root login without `become` is told about a command that needs root. */
export function needsRootError(host: string, command: string): HwqualError {
  return new HwqualError('E_NEEDS_ROOT', `${needsRootReason(host)}: ${command}`, { host });
}

/**
 * The command as the `become` user: `-n` never prompts (a rule that wants a password fails at once, no hang). The
 * shell sudo starts prints `marker` on stderr first, so a result without it is sudo's refusal (sudoRefusedError), not
 * the command's; then the command runs in the same environment as every other (COMMAND_ENV: sudo resets it).
 */
export function sudoCommand(command: string, become: Become, marker: string): string {
  const inner = `printf '%s\\n' ${shellQuote(marker)} >&2; ${COMMAND_ENV} exec sh -c "$1"`;
  return `sudo -n -u ${shellQuote(become.user)} -- sh -c ${shellQuote(inner)} hwqual ${shellQuote(command)}`;
}

/**
 * Kill a command started through sudo: its processes are the become user's, so the login cannot. Through sudo, its
 * whole tree from the login's process group leader down (sudo may have given it a session of its own), then the
 * group; then the login's part of the group, in case sudo refused.
 */
export function sudoKillCommand(pgid: number, become: Become): string {
  const asBecome = `${treeKillCommand(pgid)}; kill -s KILL -- -${pgid} 2>/dev/null; exit 0`;
  return (
    `sudo -n -u ${shellQuote(become.user)} -- sh -c ${shellQuote(asBecome)} </dev/null; ` +
    `kill -s KILL -- -${pgid} 2>/dev/null; exit 0`
  );
}

/**
 * sudo did not run the command (no marker from its shell): say what to allow. A rule that wants a password — or
 * none at all, which sudo -n reports the same way — is the usual case; sudo missing is another.
 */
export function sudoRefusedError(
  host: string,
  login: string,
  become: Become,
  result: { exitCode: number | null; stderr: string },
): HwqualError {
  const lines = result.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  // sudo's own words when it said any (a login's shell may add its own, e.g. "Could not chdir to home directory").
  const own = lines.filter((l) => l.startsWith('sudo:'));
  const said = (own.length ? own : lines).slice(-2).join(' | ');
  const rule = `${login} ALL=(${become.user}) NOPASSWD: ALL`;
  const allow =
    `configure NOPASSWD for ${login} to run commands as ${become.user} (e.g. \`${rule}\` in /etc/sudoers.d/hwqual; ` +
    `hwqual runs \`sudo -n -u ${become.user} -- sh -c …\`, as Ansible's become does)`;
  const head =
    result.exitCode === 127
      ? `sudo is not installed on ${host} (become: sudo)`
      : /password is required|terminal is required|askpass/i.test(result.stderr)
        ? `sudo needs a password on ${host}: ${allow}`
        : `sudo would not run the command on ${host}: ${allow}`;
  return new HwqualError('E_SUDO', `${head}${said ? ` — ${said}` : ''}`, { host });
}
