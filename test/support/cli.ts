import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
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
): Promise<CliResult> & { pid?: number; kill(sig: NodeJS.Signals): void } {
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
  ) as Promise<CliResult> & { pid?: number; kill(sig: NodeJS.Signals): void };
  p.pid = child.pid;
  p.kill = (sig) => child.kill(sig);
  return p;
}

/** xmllint --schema against the Jenkins xunit JUnit schema. */
export function junitValidates(file: string): { ok: boolean; stderr: string } {
  const r = spawnSync('xmllint', ['--noout', '--schema', JUNIT_XSD, file], { encoding: 'utf8' });
  return { ok: r.status === 0, stderr: r.stderr };
}

/** The CLI's main() in this process (cheaper than a child): its exit code and what it wrote to stdout and stderr. */
export async function hwqualInProcess(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    const code = await main(['node', 'hwqual', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}
