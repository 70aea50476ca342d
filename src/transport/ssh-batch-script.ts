import { shellQuote } from './ssh-exec.ts';

/**
 * The shell text of one batch: several read-only commands in ONE session channel, each still with its own stdout,
 * stderr and exit code. Pure.
 *
 * The commands run one after the other, each in a subshell of the batch shell (`( eval CMD )`: the same POSIX sh
 * that `sh -c CMD` would use, one fork and no exec per command — as cheap as a hand-written script), stdin from
 * /dev/null, writing straight to the channel. Each stream is framed with a random MARK no output can fake:
 *
 *   stdout:  <stdout bytes> MARK#<index>:<exit code>;
 *   stderr:  MARK+<index>:<pid>; <stderr bytes> MARK-<index>;
 *
 * The subshell announces its own pid (read from /proc/self/stat, a builtin read) before the command runs, so a
 * timeout can kill the process tree under it (batchKillCommand) and the batch goes on with the next command.
 * The script's own names start with __hwq_ so that commands do not trip over them.
 */
export function batchScript(commands: readonly string[], marker: string): string {
  if (!commands.length) return 'exit 0';
  const lines = [
    `__hwq_m=${shellQuote(marker)}`,
    '__hwq_r() {',
    '  ( read -r __hwq_p __hwq_x </proc/self/stat; printf \'%s+%s:%s;\' "$__hwq_m" "$1" "$__hwq_p" >&2; eval "$2" ) ' +
      '</dev/null',
    '  __hwq_rc=$?',
    '  printf \'%s#%s:%s;\' "$__hwq_m" "$1" "$__hwq_rc"',
    '  printf \'%s-%s;\' "$__hwq_m" "$1" >&2',
    '}',
    ...commands.map((c, i) => `__hwq_r ${i} ${shellQuote(c)}`),
    'exit 0',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Kill one batched command: its pid and every descendant, each stopped before its children are listed (so it
 * cannot fork more), then all killed. pgrep, or ps where there is no pgrep.
 */
export function batchKillCommand(pid: number): string {
  return (
    'k() { kill -STOP "$1" 2>/dev/null; for c in $(pgrep -P "$1" 2>/dev/null || ps -o pid= --ppid "$1" 2>/dev/null); ' +
    'do k "$c"; done; ' +
    `kill -KILL "$1" 2>/dev/null; }; k ${pid}`
  );
}

/** What the channel runs: the batch script under sh, with the same LC_ALL=C as single commands. */
export function batchCommandLine(commands: readonly string[], marker: string): string {
  return `LC_ALL=C; export LC_ALL; exec sh -c ${shellQuote(batchScript(commands, marker))}`;
}
