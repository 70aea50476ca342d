import { execLocalOk } from '../../transport/local-exec.ts';

/**
 * Run a build step on the controller (images are built here, then copied to hosts); 10 min unless told. Its stdout;
 * a non-zero exit or a timeout rejects with the CommandError (what ran, the exit, the end of its output).
 */
export function runLocal(
  file: string,
  args: string[],
  options: { cwd?: string; timeoutMs?: number; input?: string } = {},
): Promise<string> {
  return execLocalOk(file, args, {
    cwd: options.cwd,
    timeoutMs: options.timeoutMs ?? 600_000,
    stdin: options.input,
    env: { DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** `sh -c` for pipelines. */
export function runShell(script: string, options: { cwd?: string; timeoutMs?: number } = {}): Promise<string> {
  return runLocal('sh', ['-c', script], options);
}
