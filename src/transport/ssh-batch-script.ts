import { COMMAND_ENV, shellQuote, treeKillCommand } from './shell.ts';

/**
 * The shell text of one batch: several read-only commands in ONE session channel, each still with its own stdout,
 * stderr and exit code. Pure.
 *
 * The commands run one after the other, each in a subshell (`( eval CMD )`: the same POSIX sh that `sh -c CMD` would
 * use), stdin from /dev/null, writing straight to the channel. A second subshell around it reports the exit code, so a
 * command's record comes out even when the batch shell has moved on. Each stream is framed with a random MARK no
 * output can fake:
 *
 *   stderr:  MARK*<batch shell pid>;                      once, first
 *   stdout:  <stdout bytes> MARK#<index>:<exit code>;
 *   stderr:  MARK+<index>:<pid>; <stderr bytes> MARK-<index>;
 *   stderr:  MARK!<index>;                                 the batch stopped before this command (see below)
 *
 * The command's subshell announces its own pid (read from /proc/self/stat, a builtin read) as it starts — its timeout
 * counts from there — so a timeout can kill the process tree under it (batchKillCommand) and the batch goes on.
 * The batch shell waits for each command with `wait`, which a trapped SIGUSR1 interrupts: after batchStopCommand the
 * running command carries on and still reports, and the batch shell says at which command it stopped (`!`) and exits,
 * so the caller can send the commands from there on down another channel (a slow command never holds up the ones
 * queued behind it beyond their own time). The script's own names start with __hwq_ so that commands do not trip over
 * them.
 */
export function batchScript(commands: readonly string[], marker: string): string {
  if (!commands.length) return 'exit 0';
  const lines = [
    `__hwq_m=${shellQuote(marker)}`,
    '__hwq_s=',
    "trap '__hwq_s=1' USR1",
    'printf \'%s*%s;\' "$__hwq_m" "$$" >&2',
    '__hwq_r() {',
    '  if [ -n "$__hwq_s" ]; then printf \'%s!%s;\' "$__hwq_m" "$1" >&2; exit 0; fi',
    '  (',
    '    ( read -r __hwq_p __hwq_x </proc/self/stat; printf \'%s+%s:%s;\' "$__hwq_m" "$1" "$__hwq_p" >&2; ' +
      'eval "$2" ) </dev/null',
    '    __hwq_rc=$?',
    '    printf \'%s#%s:%s;\' "$__hwq_m" "$1" "$__hwq_rc"',
    '    printf \'%s-%s;\' "$__hwq_m" "$1" >&2',
    '  ) &',
    '  wait $!',
    '}',
    ...commands.map((c, i) => `__hwq_r ${i} ${shellQuote(c)}`),
    'exit 0',
  ];
  return `${lines.join('\n')}\n`;
}

/** Kill one batched command: its pid and every descendant (treeKillCommand). */
export function batchKillCommand(pid: number): string {
  return treeKillCommand(pid);
}

/**
 * Ask a batch shell to start no further command (it answers `MARK!<index>;` on its stderr and exits; the running
 * command goes on). Only a process whose command line carries the batch's marker is signalled, never a reused pid.
 */
export function batchStopCommand(shellPid: number, marker: string): string {
  return (
    `grep -qF ${shellQuote(marker)} /proc/${shellPid}/cmdline 2>/dev/null && kill -USR1 ${shellPid} ` +
    `2>/dev/null; exit 0`
  );
}

/** What the channel runs: the batch script under sh, in the same environment as single commands (COMMAND_ENV). */
export function batchCommandLine(commands: readonly string[], marker: string): string {
  return `${COMMAND_ENV} exec sh -c ${shellQuote(batchScript(commands, marker))}`;
}
