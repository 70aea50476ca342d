import type { HostConfig } from '../../config/types.ts';
import { HwqualError, messageOf } from '../../model/errors.ts';
import { createTransport } from '../../transport/create.ts';
import type { Transport } from '../../transport/types.ts';
import { shellJoin, shellQuote } from '../shell.ts';
import { stagingLock, stagingRoot } from './stage.ts';

/** Staged images not used for this long are removed by default (a run reuses what it staged within the day). */
export const DEFAULT_UNUSED_FOR_MS = 24 * 3600_000;

export interface PruneEntry {
  /** The folder's name under the staging root (`tiny-<key>`, or a `…tmp-…` copy that never finished). */
  name: string;
  action: 'removed' | 'kept';
  /** Why it was kept: `in use by pid N` or `used N s ago`. */
  why?: string;
}

/**
 * `hwqual images prune` on one host: under the exclusive staging lock (stage.ts takes it shared), remove every staged
 * folder — and every unfinished temp copy — that no process uses (no command line names a file in it, no open file
 * is in it: a QEMU booted from it, or from an overlay on its disk) and that was not used for `unusedForMs`.
 * `names` limits it to those folders. A `local` host stages nothing (it boots from the cache), so there is nothing.
 */
export async function pruneStagedImages(
  transport: Transport,
  o: { unusedForMs?: number; names?: string[]; signal?: AbortSignal } = {},
): Promise<PruneEntry[]> {
  if (transport.kind === 'local') return [];
  const limitSec = Math.floor((o.unusedForMs ?? DEFAULT_UNUSED_FOR_MS) / 1000);
  const user = transport.user;
  const r = await transport.exec(
    `test -d ${shellQuote(stagingRoot(user))} || exit 0; flock -x ${shellQuote(stagingLock(user))} ` +
      `sh -c ${shellQuote(pruneScript(limitSec, user))} prune ${shellJoin(o.names ?? [])}`,
    { timeoutMs: 300_000, signal: o.signal },
  );
  if (r.exitCode !== 0)
    throw new HwqualError('E_COMMAND', `prune of staged images on ${transport.host}: ${r.stderr.trim()}`, {
      host: transport.host,
    });
  return parsePruneOutput(r.stdout);
}

/**
 * The prune pass as a shell script over the login `user`'s staging root; `$@` are the folder names to consider
 * (none: all). Prints one line per folder.
 */
export function pruneScript(limitSec: number, user?: string): string {
  return [
    `cd ${shellQuote(stagingRoot(user))} || exit 0`,
    'now=$(date +%s)',
    // Is any live process (not this one, not the finished grep) using files in the folder: named in its command
    // line, or open?
    'user() {',
    '  for f in $(grep -lsaF -- "$1/" /proc/[0-9]*/cmdline); do',
    '    p=${f#/proc/}; p=${p%/cmdline}',
    '    [ "$p" != "$$" ] && [ -d "/proc/$p" ] && { echo "$p"; return 0; }',
    '  done',
    '  f=$(find /proc/[0-9]*/fd -maxdepth 1 -lname "$1/*" 2>/dev/null | head -n 1)',
    '  [ -n "$f" ] || return 1',
    '  p=${f#/proc/}; echo "${p%%/*}"',
    '}',
    'for d in *; do',
    '  [ -d "$d" ] || continue',
    '  if [ $# -gt 0 ]; then want=; for n in "$@"; do [ "$n" = "$d" ] && want=1; done; [ -n "$want" ] || continue; fi',
    '  used=$(stat -c %Y "$d/.used" 2>/dev/null || stat -c %Y "$d")',
    '  age=$((now - used))',
    `  if [ "$age" -lt ${limitSec} ]; then echo "kept $d used $age s ago"; continue; fi`,
    '  if pid=$(user "$PWD/$d"); then echo "kept $d in use by pid $pid"; continue; fi',
    '  rm -rf -- "$d" && echo "removed $d"',
    'done',
  ].join('\n');
}

export function parsePruneOutput(stdout: string): PruneEntry[] {
  return stdout
    .split('\n')
    .map((line) => /^(removed|kept) (\S+)(?: (.*))?$/.exec(line))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ name: m[2]!, action: m[1] as PruneEntry['action'], ...(m[3] && { why: m[3] }) }));
}

export interface HostPrune {
  host: string;
  entries: PruneEntry[];
  error?: string;
}

/** Prune every SSH host of a lab (or the named ones), all at once; one host's failure does not stop the others. */
export async function pruneLabHosts(
  lab: { hosts: HostConfig[] },
  o: { hosts?: string[]; unusedForMs?: number; signal?: AbortSignal } = {},
): Promise<HostPrune[]> {
  const unknown = (o.hosts ?? []).filter((h) => !lab.hosts.some((x) => x.name === h));
  if (unknown.length)
    throw new HwqualError(
      'E_USAGE',
      `no host ${unknown.join(', ')} in the lab (${lab.hosts.map((h) => h.name).join(', ')})`,
    );
  const chosen = lab.hosts.filter((h) => h.address !== 'local' && (!o.hosts?.length || o.hosts.includes(h.name)));
  return Promise.all(
    chosen.map(async (h): Promise<HostPrune> => {
      const t = createTransport(h, lab);
      try {
        return { host: h.name, entries: await pruneStagedImages(t, o) };
      } catch (err) {
        return { host: h.name, entries: [], error: messageOf(err) };
      } finally {
        await t.close();
      }
    }),
  );
}
