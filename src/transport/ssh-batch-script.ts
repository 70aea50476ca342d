import { shellQuote } from './ssh-exec.ts';

/**
 * The shell text of one batch: several read-only commands in ONE session channel, each still with its own stdout,
 * stderr and exit code. Pure.
 *
 * Each command runs in the background in a subshell of the batch shell (`( eval CMD )`: the same POSIX sh that
 * `sh -c CMD` would use, without an exec per command), stdin from /dev/null, stdout and stderr to files in a private
 * temp folder. As each one ends, the batch shell (the only writer of the channel's stdout) emits its record:
 *
 *   <stdout bytes> MARK| <stderr bytes> MARK#<index>:<exit code>;
 *
 * and on the channel's stderr each command's pid as soon as it starts: `MARK+<index>:<pid>;` (a timeout kills the
 * process tree under that pid: batchKillCommand). MARK is random per batch, so no output can fake it; lengths are not
 * needed. Completion order comes through a FIFO that the per-command waiters write one short line to (atomic).
 * The script's own names start with __hwq_ so that commands do not trip over them.
 */
export function batchScript(commands: readonly string[], marker: string): string {
  if (!commands.length) return 'exit 0';
  const lines = [
    `__hwq_m=${shellQuote(marker)}`,
    '__hwq_d=$(mktemp -d "${TMPDIR:-/tmp}/hwqual-batch.XXXXXX") || exit 97',
    'trap \'rm -rf "$__hwq_d"\' EXIT',
    'mkfifo "$__hwq_d/f" || exit 97',
    'exec 3<>"$__hwq_d/f"',
    '__hwq_r() {',
    '  ( eval "$2" ) </dev/null >"$__hwq_d/$1.o" 2>"$__hwq_d/$1.e" 3>&- &',
    '  printf \'%s+%s:%s;\' "$__hwq_m" "$1" "$!" >&2',
    '  wait "$!"; echo "$1 $?" >&3',
    '}',
    ...commands.map((c, i) => `__hwq_r ${i} ${shellQuote(c)} &`),
    '__hwq_n=0',
    `while [ "$__hwq_n" -lt ${commands.length} ] && read -r __hwq_i __hwq_rc <&3; do`,
    '  [ -s "$__hwq_d/$__hwq_i.o" ] && cat "$__hwq_d/$__hwq_i.o"',
    '  printf \'%s|\' "$__hwq_m"',
    '  [ -s "$__hwq_d/$__hwq_i.e" ] && cat "$__hwq_d/$__hwq_i.e"',
    '  printf \'%s#%s:%s;\' "$__hwq_m" "$__hwq_i" "$__hwq_rc"',
    '  __hwq_n=$((__hwq_n+1))',
    'done',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Kill one batched command: its pid and every descendant, each stopped before its children are listed (so it
 * cannot fork more), then all killed. pgrep, or ps where there is no pgrep.
 */
export function batchKillCommand(pid: number): string {
  return 'k() { kill -STOP "$1" 2>/dev/null; for c in $(pgrep -P "$1" 2>/dev/null || ps -o pid= --ppid "$1" 2>/dev/null); do k "$c"; done; '
    + `kill -KILL "$1" 2>/dev/null; }; k ${pid}`;
}

/** What the channel runs: the batch script under sh, with the same LC_ALL=C as single commands. */
export function batchCommandLine(commands: readonly string[], marker: string): string {
  return `LC_ALL=C; export LC_ALL; exec sh -c ${shellQuote(batchScript(commands, marker))}`;
}
