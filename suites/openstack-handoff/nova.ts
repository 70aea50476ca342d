import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HwqualError, type CaseContext } from '../../src/suite-api/index.ts';
import { shellQuote } from '../../src/suite-api/vm.ts';

/** The Python helper shipped with the suite: imports only Nova's own modules (its docstring says what it runs). */
const HELPER = readFileSync(new URL('./nova_check.py', import.meta.url), 'utf8');

/** The host's own Python: Debian's python3-nova is installed for it (`python3` on PATH may be another one). */
export const HOST_PYTHON = '/usr/bin/python3';

/** What nova_check.py printed: Nova's version and the fragment as Nova read it, then the answer or Nova's error. */
export interface NovaAnswer {
  /** Nova, python3-libvirt or the host's Python is not installed: the words of the failed import. */
  missing?: string;
  why?: string;
  nova?: string;
  libvirtClient?: string;
  conf?: Record<string, unknown>;
  error?: { type: string; message: string };
  ok?: boolean;
  traits?: string[];
  /** guest-model: per flavor, the guest CPU Nova would write into the domain XML. */
  models?: NovaGuestCpu[];
}

export interface NovaGuestCpu {
  extraSpecs: Record<string, string>;
  /** Nova could not build this flavor's guest CPU (e.g. "No CPU model match traits"). */
  error?: { type: string; message: string };
  mode?: string;
  model?: string;
  /** `policy:name` in libvirt's feature names, e.g. `require:aes`. */
  features?: string[];
  xml?: string;
}

export type NovaAction = 'config' | 'traits' | 'guest-model';

/**
 * Ask Nova on the case's host: the helper and the pool's fragment go to a private folder there (removed after, also
 * on timeout or cancel), the host's python3 runs the helper — in the case's transcript — and its one JSON line is
 * the answer. A helper that prints no JSON (crashed, killed by its own hang guard) is an error with its stderr.
 */
export async function askNova(
  ctx: CaseContext,
  action: NovaAction,
  fragment: string,
  extra: string[] = [],
): Promise<NovaAnswer> {
  const dir = `/tmp/hwqual-nova-${randomBytes(6).toString('hex')}`;
  await ctx.run(`mkdir -m 700 ${dir}`);
  const remove = async () => {
    await ctx.transport.exec(`rm -rf ${dir}`, { timeoutMs: 60_000 });
  };
  ctx.defer(remove);
  try {
    const opts = { signal: ctx.signal, timeoutMs: 30_000 };
    await ctx.transport.writeFile(`${dir}/nova_check.py`, HELPER, opts);
    await ctx.transport.writeFile(`${dir}/nova-compute.conf`, fragment, opts);
    const args = [action, `${dir}/nova-compute.conf`, ...extra].map(shellQuote).join(' ');
    const r = await ctx.exec(`${HOST_PYTHON} ${dir}/nova_check.py ${args}`, { timeout: 120, root: 'required' });
    if (r.exitCode === 127) return { missing: HOST_PYTHON, why: r.stderr.trim() || 'not found' };
    const line = r.stdout.trim().split('\n').pop() ?? '';
    try {
      if (r.exitCode === 0 && line.startsWith('{')) return JSON.parse(line) as NovaAnswer;
    } catch {
      /* reported below */
    }
    throw new HwqualError(
      'E_COMMAND',
      `nova_check.py ${action} on ${ctx.host.name} exited ${r.exitCode} without an answer: ` +
        (r.stderr.trim().split('\n').slice(-8).join('\n') || r.stdout.trim() || 'no output'),
      { host: ctx.host.name },
    );
  } finally {
    await remove().catch(() => {});
  }
}

/** Skip (Nova not installed here: a compute host that is not one yet) or the answer; Nova's refusal stays an answer. */
export function answered(ctx: CaseContext, a: NovaAnswer): NovaAnswer {
  if (a.missing) ctx.skip(`${a.missing} is not installed on ${ctx.host.name} (${a.why}): Nova cannot be asked there`);
  ctx.log(
    `Nova ${a.nova} (python3-libvirt ${a.libvirtClient}) read the fragment as ` + `${JSON.stringify(a.conf ?? {})}`,
  );
  if (a.nova) ctx.fact('nova', { version: a.nova, libvirtClient: a.libvirtClient });
  return a;
}
