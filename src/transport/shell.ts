/** Shell text every transport command shares. Pure. */

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The sbin folders, after the login's own PATH: Debian gives an ordinary user a PATH without them, and the tools a
 * host probe needs live there (cryptsetup, dmidecode, modprobe, ip).
 */
export const SBIN_DIRS = '/usr/local/sbin:/usr/sbin:/sbin';

/** The environment every command runs in, as shell: LC_ALL=C for parseable output, sbin on the PATH for any user. */
export const COMMAND_ENV = `LC_ALL=C; export LC_ALL; PATH="\${PATH:-/usr/bin:/bin}:${SBIN_DIRS}"; export PATH;`;

/**
 * Kill one process and every descendant, each stopped before its children are listed (so it cannot fork more), then
 * all killed. pgrep, or ps where there is no pgrep. For a process tree that left its process group (a batched
 * command, or one sudo ran in a terminal of its own).
 */
export function treeKillCommand(pid: number): string {
  return (
    'k() { kill -STOP "$1" 2>/dev/null; for c in $(pgrep -P "$1" 2>/dev/null || ps -o pid= --ppid "$1" 2>/dev/null); ' +
    'do k "$c"; done; ' +
    `kill -KILL "$1" 2>/dev/null; }; k ${pid}`
  );
}
