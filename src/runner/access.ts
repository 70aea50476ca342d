import { HwqualError, needsRootReason } from '../model/errors.ts';
import type { HostAccess } from '../model/facts.ts';
import { CMD, CMD_ROOT } from '../probe/commands.ts';
import { parseId } from '../probe/login.ts';
import type { Transport } from '../transport/types.ts';

const TIMEOUT_MS = 20_000;

interface Answer {
  out?: string;
  why?: string;
  code?: string;
}

/**
 * Who hwqual is on the host and how commands that need root run there (facts.extra.access, shown in the reports):
 * `id` as the login, and `id -un` as a command that needs root — through `become`, refused without it, or refused
 * by sudo. Both read-only. Undefined when neither answered (a replayed profile that holds neither). Only a cancelled
 * run rejects.
 */
export async function gatherAccess(transport: Transport, signal: AbortSignal): Promise<HostAccess | undefined> {
  const run = (name: 'login' | 'rootUser'): Promise<Answer> =>
    transport.exec(CMD[name], { readOnly: true, root: CMD_ROOT[name], signal, timeoutMs: TIMEOUT_MS }).then(
      (r) => (r.exitCode === 0 ? { out: r.stdout.trim() } : { why: `\`${CMD[name]}\` exited ${r.exitCode}` }),
      (err: unknown) => {
        if (signal.aborted) throw err;
        const code = err instanceof HwqualError ? err.code : undefined;
        return { why: code === 'E_NEEDS_ROOT' ? needsRootReason(transport.host) : (err as Error).message, code };
      },
    );
  const [login, rootUser] = await Promise.all([run('login'), run('rootUser')]);
  if (login.out === undefined && rootUser.out === undefined && login.code === 'E_NOT_RECORDED') return undefined;
  const who = login.out !== undefined ? parseId(login.out) : {};
  const become = transport.become ? { become: `${transport.become.method} -n -u ${transport.become.user}` } : {};
  if (rootUser.out === undefined) return { ...who, root: 'no', ...become, why: rootUser.why };
  return { ...who, root: who.uid === 0 || !transport.become ? 'login' : 'sudo', ...become };
}
