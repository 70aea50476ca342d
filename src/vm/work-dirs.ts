import { randomBytes } from 'node:crypto';
import type { Transport } from '../transport/types.ts';
import { shellQuote } from './shell.ts';

/**
 * hwqual's folders on a lab host are per login user, so that two users of one host (root and `qa`, say) never meet
 * in a folder the other made: root keeps the plain names, any other user gets its own (`-<user>`). Each is checked
 * to be the user's own before use (ownedDirCommand). The one place that names them. Pure.
 */
function perUser(base: string, user: string | undefined): string {
  return !user || user === 'root' ? base : `${base}-${user.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/** Where the login's VMs keep sockets, consoles, overlays and scratch disks: `/tmp/hwqual-vms[-<user>]`. */
export function vmWorkRoot(user: string | undefined): string {
  return perUser('/tmp/hwqual-vms', user);
}

/** A fresh, unique work dir for one VM (or one scratch file) of the transport's login. */
export function vmWorkDir(transport: Pick<Transport, 'user'>, name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40);
  return `${vmWorkRoot(transport.user)}/${safe}-${randomBytes(6).toString('hex')}`;
}

/** Where images are staged for the login: `/var/tmp/hwqual-images[-<user>]`, one folder per image content. */
export function imageStagingRoot(user: string | undefined): string {
  return perUser('/var/tmp/hwqual-images', user);
}

/**
 * Shell: make `dir` (and its parents) unless it is there, and go on only if it is the login's own folder — not a
 * symlink, not another user's (one made first in the shared /tmp to catch the files of another user's run).
 */
export function ownedDirCommand(dir: string, mode?: string): string {
  const d = shellQuote(dir);
  return (
    `mkdir -p${mode ? ` -m ${mode}` : ''} ${d} && { [ ! -L ${d} ] && [ -O ${d} ] || ` +
    `{ printf '%s is not a folder of %s (owned by another user, or a symlink): remove it\\n' ${d} "$(id -un)" >&2; ` +
    'exit 1; }; }'
  );
}
