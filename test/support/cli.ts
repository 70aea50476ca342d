import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { JUNIT_XSD, PROJECT_ROOT } from './paths.ts';

export const CLI = resolve(PROJECT_ROOT, 'bin/hwqual.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the real CLI in a child process (CI=true: plain progress lines). */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> & { pid?: number; kill(sig: NodeJS.Signals): void; output(): string } {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const p = new Promise<CliResult>((res) =>
    child.on('close', (code) => res({ code, stdout, stderr })),
  ) as Promise<CliResult> & { pid?: number; kill(sig: NodeJS.Signals): void; output(): string };
  p.pid = child.pid;
  p.kill = (sig) => child.kill(sig);
  p.output = () => stdout; // what it printed so far, while it runs
  return p;
}

/** xmllint --schema against the Jenkins xunit JUnit schema. */
export function junitValidates(file: string): { ok: boolean; stderr: string } {
  const r = spawnSync('xmllint', ['--noout', '--schema', JUNIT_XSD, file], { encoding: 'utf8' });
  return { ok: r.status === 0, stderr: r.stderr };
}

/** The real CLI (main.ts), in this process: output captured, exit code returned, process.exitCode restored. */
export async function cliInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { hwqualInProcess } = await import('./main.ts');
  const { code, out, err } = await hwqualInProcess(...args);
  return { code, stdout: out, stderr: err };
}

export { hwqualInProcess } from './main.ts';
