import { shellQuote } from './shell.ts';

/**
 * One shell script that ends a VM for good: wait a little for QEMU (after `quit`) to exit, then SIGKILL the pid
 * from its pid file, and any QEMU whose command line names the work dir (a start that died before writing the
 * pid file); finally remove the work dir. Only processes that mention this unique work dir are touched.
 */
export function teardownScript(workDir: string, pidFile: string, graceTenths = 30): string {
  const dir = shellQuote(workDir);
  return [
    `dir=${dir}`,
    `ours() { [ -r /proc/$1/cmdline ] && tr '\\0' ' ' < /proc/$1/cmdline | grep -qF -- "$dir"; }`,
    `pid=$(cat ${shellQuote(pidFile)} 2>/dev/null | tr -dc 0-9)`,
    `if [ -n "$pid" ]; then i=0; while [ $i -lt ${graceTenths} ] && ours $pid; do sleep 0.1; i=$((i+1)); done; ` +
      `ours $pid && kill -KILL $pid 2>/dev/null; fi`,
    `for p in $(pgrep -f -- "$dir" 2>/dev/null); do [ "$p" = "$$" ] && continue; ` +
      `case "$(cat /proc/$p/comm 2>/dev/null)" in qemu*) kill -KILL $p 2>/dev/null;; esac; done`,
    `i=0; while [ $i -lt 50 ] && [ -n "$pid" ] && ours $pid; do sleep 0.1; i=$((i+1)); done`,
    `rm -rf -- "$dir"`,
  ].join('\n');
}
