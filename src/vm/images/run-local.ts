import { execa } from 'execa';
import { HwqualError } from '../../model/errors.ts';

/** Run a build step on the controller (images are built here, then copied to hosts). Rejects with its stderr. */
export async function runLocal(
  file: string,
  args: string[],
  options: { cwd?: string; timeoutMs?: number; input?: string } = {},
): Promise<string> {
  const r = await execa(file, args, {
    cwd: options.cwd,
    reject: false,
    timeout: options.timeoutMs ?? 600_000,
    input: options.input,
    env: { LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' },
    stripFinalNewline: true,
  });
  if (r.exitCode !== 0 || r.timedOut) {
    const tail = String(r.stderr || r.stdout)
      .trim()
      .split('\n')
      .slice(-5)
      .join(' | ');
    throw new HwqualError(
      'E_COMMAND',
      `image build: ${file} ${args.join(' ')}: ${r.timedOut ? 'timed out' : `exit ${r.exitCode}`} — ${tail}`,
    );
  }
  return String(r.stdout);
}

/** `sh -c` for pipelines. */
export function runShell(script: string, options: { cwd?: string; timeoutMs?: number } = {}): Promise<string> {
  return runLocal('sh', ['-c', script], options);
}
