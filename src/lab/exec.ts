import type { ExecResult } from '../model/exec.ts';
import { requireHost, requireState } from './lookup.ts';
import { run } from './run.ts';
import type { LabState } from './types.ts';

/** argv that runs `argv` inside the host's network namespace (as is, on a loopback lab). */
export function hostArgv(state: LabState, hostName: string, argv: string[]): string[] {
  const host = requireHost(state, hostName);
  return host.netns ? ['ip', 'netns', 'exec', host.netns, ...argv] : argv;
}

/**
 * Run a command as the lab host sees the network (tests, tools). Resolves with any exit code. Only the network
 * namespace: the command runs with this machine's files, not the host's private /run, /tmp or own root (SSH is the
 * way into those).
 */
export async function labExec(
  dir: string,
  hostName: string,
  argv: string[],
  options: { timeoutMs?: number } = {},
): Promise<ExecResult> {
  const [file, ...args] = hostArgv(requireState(dir), hostName, argv);
  const r = await run(file!, args, options);
  return { ...r, host: hostName };
}
