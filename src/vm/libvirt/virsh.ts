import { HwqualError } from '../../model/errors.ts';
import type { ExecOptions, ExecResult } from '../../model/exec.ts';
import type { Transport } from '../../transport/types.ts';
import { shellJoin } from '../shell.ts';

/**
 * libvirt is driven with `virsh` run over the host's own transport (SSH, or this machine), not through libvirt's
 * RPC protocol from here: there is no maintained pure-JS libvirt client, a native binding needs libvirt-dev and
 * install scripts npm holds back (as it does ssh2's), and a `virsh` command is a command like any other — it lands
 * in the transcript, the remote-process registry (killed on a second Ctrl-C) and record/replay. The libvirt
 * connection is the host's own (`qemu:///system` as root), as Nova's is.
 */
export const LIBVIRT_URI = 'qemu:///system';

export interface VirshOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Stream stdout as it comes (virsh's event loop). */
  onStdout?: ExecOptions['onStdout'];
}

export class Virsh {
  constructor(readonly transport: Transport) {}

  get host(): string {
    return this.transport.host;
  }

  /** `virsh -c qemu:///system <args>`, any exit code. */
  exec(args: readonly string[], o: VirshOptions = {}): Promise<ExecResult> {
    return this.transport.exec(`virsh -q -c ${LIBVIRT_URI} ${shellJoin([...args])}`, {
      timeoutMs: o.timeoutMs ?? 30_000,
      signal: o.signal,
      onStdout: o.onStdout,
    });
  }

  /** The same, stdout on exit 0; otherwise E_VM "driver libvirt: virsh <command> on <host>: <virsh's own words>". */
  async run(args: readonly string[], o: VirshOptions = {}): Promise<string> {
    const r = await this.exec(args, o);
    if (r.exitCode !== 0) throw virshError(this.host, args, r);
    return r.stdout;
  }
}

/** virsh's own words (its `error:` lines), or the command's exit in words when it said nothing. */
export function virshWords(r: Pick<ExecResult, 'stdout' | 'stderr' | 'exitCode'>): string {
  const lines = `${r.stderr}\n${r.stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const errors = lines.filter((l) => l.startsWith('error:')).map((l) => l.replace(/^error:\s*/, ''));
  if (errors.length) return errors.join(': ');
  if (r.exitCode === 127) return 'virsh: command not found (libvirt-clients is not installed on this host)';
  return lines.slice(-2).join(' | ') || `exit ${r.exitCode}`;
}

export function virshError(host: string, args: readonly string[], r: ExecResult): HwqualError {
  return new HwqualError('E_VM', `driver libvirt: virsh ${args[0]} on ${host}: ${virshWords(r)}`, { host });
}
