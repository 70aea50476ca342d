// The raw OpenSSH baseline (ControlMaster, one `ssh` per check) and the floor (one `ssh` per host running every
// check in one shell script), as bash scripts. Both print `ok|FAIL <host> <check>` and exit 1 when a check failed.
import type { HostCheck } from '../../suites/host-checks/checks-file.ts';

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** One ssh per check over a shared master connection per host; hosts in parallel, a host's checks in sequence. */
export function rawSshScript(sshConfig: string, hosts: string[], checks: HostCheck[]): string {
  return [
    '#!/bin/bash',
    `SSH=(ssh -F ${shellQuote(sshConfig)})`,
    'check() { if "${SSH[@]}" "$1" "$3" </dev/null >/dev/null 2>&1; then echo "ok $1 $2"; else echo "FAIL $1 $2"; ' +
      'return 1; fi; }',
    'host() {',
    '  local h=$1 rc=0',
    ...checks.map((c) => `  check "$h" ${c.id} ${shellQuote(c.cmd)} || rc=1`),
    '  "${SSH[@]}" -O exit "$h" 2>/dev/null',
    '  return $rc',
    '}',
    'pids=()',
    `for h in ${hosts.join(' ')}; do host "$h" & pids+=($!); done`,
    'rc=0',
    'for p in "${pids[@]}"; do wait "$p" || rc=1; done',
    'exit $rc',
    '',
  ].join('\n');
}

/** The remote half of the floor: every check in one POSIX sh run; $1 is the host's name for the output. */
export function floorRemoteScript(checks: HostCheck[]): string {
  return [
    'rc=0',
    ...checks.map(
      (c) =>
        `if ( ${c.cmd} ) </dev/null >/dev/null 2>&1; then echo "ok $1 ${c.id}"; else echo "FAIL $1 ${c.id}"; rc=1; fi`,
    ),
    'exit $rc',
    '',
  ].join('\n');
}

/** The local half: one plain ssh (no connection sharing) per host, all hosts in parallel. */
export function floorScript(sshConfig: string, hosts: string[], remoteScript: string): string {
  return [
    '#!/bin/bash',
    'pids=()',
    `for h in ${hosts.join(' ')}; do ssh -F ${shellQuote(sshConfig)} "$h" sh -s -- "$h" ` +
      `< ${shellQuote(remoteScript)} & pids+=($!); done`,
    'rc=0',
    'for p in "${pids[@]}"; do wait "$p" || rc=1; done',
    'exit $rc',
    '',
  ].join('\n');
}
