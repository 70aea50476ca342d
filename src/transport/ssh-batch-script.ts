import { shellQuote } from './ssh-exec.ts';

/**
 * The shell text of one batch: several read-only commands in ONE session channel, each still with its own stdout,
 * stderr and exit code. Pure.
 *
 * Each command runs as `setsid sh -c CMD` in the background (its own session and process group, so a timeout can
 * kill just that command: `kill -KILL -- -PID`), stdin from /dev/null, stdout and stderr to files in a private temp
 * folder. As each one ends, the batch shell (the only writer of the channel's stdout) emits its record:
 *
 *   <stdout bytes> MARK| <stderr bytes> MARK#<index>:<exit code>;
 *
 * and on the channel's stderr each command's process group as soon as it starts: `MARK+<index>:<pid>;`.
 * MARK is random per batch, so no output can fake it; lengths are not needed. Completion order comes through a FIFO
 * that the per-command waiters write one short line to (atomic).
 */
export function batchScript(commands: readonly string[], marker: string): string {
  if (!commands.length) return 'exit 0';
  const lines = [
    `M=${shellQuote(marker)}`,
    'd=$(mktemp -d "${TMPDIR:-/tmp}/hwqual-batch.XXXXXX") || exit 97',
    'trap \'rm -rf "$d"\' EXIT',
    'mkfifo "$d/f" || exit 97',
    'exec 3<>"$d/f"',
    'r() { setsid sh -c "$2" </dev/null >"$d/$1.o" 2>"$d/$1.e" 3>&- & printf \'%s+%s:%s;\' "$M" "$1" "$!" >&2; wait "$!"; echo "$1 $?" >&3; }',
    ...commands.map((c, i) => `r ${i} ${shellQuote(c)} &`),
    'n=0',
    `while [ "$n" -lt ${commands.length} ] && read -r i rc <&3; do`,
    '  [ -s "$d/$i.o" ] && cat "$d/$i.o"; printf \'%s|\' "$M"; [ -s "$d/$i.e" ] && cat "$d/$i.e"; printf \'%s#%s:%s;\' "$M" "$i" "$rc"',
    '  n=$((n+1))',
    'done',
  ];
  return `${lines.join('\n')}\n`;
}

/** What the channel runs: the batch script under sh, with the same LC_ALL=C as single commands. */
export function batchCommandLine(commands: readonly string[], marker: string): string {
  return `LC_ALL=C; export LC_ALL; exec sh -c ${shellQuote(batchScript(commands, marker))}`;
}
