import { randomBytes } from 'node:crypto';
import type { CaseContext, RootNeed } from '../../src/suite-api/index.ts';
import { shellQuote, type GuestAgentClient } from '../../src/suite-api/vm.ts';

export interface ScriptOutput {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Where a script runs: a host (through its transport) or a guest (through qemu-guest-agent). Files reach it through
 * writeFile (SFTP) or guest-exec's stdin, never through a command line: a secret in them is not visible to `ps`.
 */
export interface ScriptHost {
  /** For messages: "host local", "guest debian12 (-cpu max)". */
  readonly where: string;
  /**
   * A private dir (0700) with these files (0600), `sh DIR/<script> DIR args…`, then the dir is removed. `root`: what
   * the script needs of root on a host (a guest's agent runs it as root anyway).
   */
  runInPrivateDir(
    files: Record<string, string>,
    script: string,
    args: string[],
    timeoutMs: number,
    root?: RootNeed,
  ): Promise<ScriptOutput & { dir: string }>;
  /** A plain command with no secret in it (cryptsetup benchmark, cat /proc/crypto). */
  exec(command: string, timeoutMs: number): Promise<ScriptOutput>;
}

export function privateDirName(): string {
  return `/tmp/hwqual-luks-${randomBytes(6).toString('hex')}`;
}

/**
 * The case's host: commands through ctx.exec (in the transcript), files through ctx.transport.writeFile (mode 0600).
 */
export function hostScriptHost(ctx: CaseContext): ScriptHost {
  return {
    where: `host ${ctx.host.name}`,
    async runInPrivateDir(files, script, args, timeoutMs, root) {
      const dir = privateDirName();
      await ctx.run(`mkdir -m 700 ${shellQuote(dir)}`);
      // Also as a cleanup (after a timeout or cancel), which runs after the case's signal has ended: straight through
      // the transport.
      const remove = async () => {
        await ctx.transport.exec(`rm -rf ${shellQuote(dir)}`, { timeoutMs: 60_000 });
      };
      ctx.defer(remove);
      try {
        for (const [name, data] of Object.entries(files)) {
          await ctx.transport.writeFile(`${dir}/${name}`, data, { mode: 0o600, signal: ctx.signal, timeoutMs: 30_000 });
        }
        const r = await ctx.exec(`sh ${shellQuote(`${dir}/${script}`)} ${[dir, ...args].map(shellQuote).join(' ')}`, {
          timeout: timeoutMs / 1000,
          root,
        });
        return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, dir };
      } finally {
        await remove().catch(() => {});
      }
    },
    async exec(command, timeoutMs) {
      const r = await ctx.exec(command, { timeout: timeoutMs / 1000 });
      return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    },
  };
}

/** A guest with qemu-guest-agent: files go in on guest-exec's stdin (`cat > file` under umask 077). */
export function guestScriptHost(agent: GuestAgentClient, where: string, signal?: AbortSignal): ScriptHost {
  const sh = (args: string[], timeoutMs: number, input?: string) =>
    agent.exec('/bin/sh', args, { timeoutMs, signal, input });
  return {
    where,
    async runInPrivateDir(files, script, args, timeoutMs) {
      const dir = privateDirName();
      try {
        const made = await sh(['-c', 'umask 077 && mkdir "$1"', 'sh', dir], 30_000);
        if (made.exitCode !== 0) return { ...made, dir };
        for (const [name, data] of Object.entries(files)) {
          const w = await sh(['-c', 'umask 077 && cat > "$1"', 'sh', `${dir}/${name}`], 30_000, data);
          if (w.exitCode !== 0) return { ...w, dir };
        }
        const r = await sh([`${dir}/${script}`, dir, ...args], timeoutMs);
        return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, dir };
      } finally {
        await sh(['-c', 'rm -rf "$1"', 'sh', dir], 30_000).catch(() => {});
      }
    },
    async exec(command, timeoutMs) {
      const r = await sh(['-c', command], timeoutMs);
      return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    },
  };
}
