import { HwqualError } from '../model/errors.ts';
import type { ExecResult } from '../model/exec.ts';
import { CommandError, commandErrorCode } from '../transport/command-error.ts';
import { requireHost, requireNetns, requireState } from './lookup.ts';
import { run } from './run.ts';
import { UNKNOWN_QDISC, parseDelay, tbfArgs } from './shape-args.ts';
import type { ShapeOptions } from './types.ts';

type Tc = (args: string[]) => Promise<ExecResult>;

/**
 * Shape one host's link in both directions: on the host-side veth (traffic to the host) and on eth0 inside its
 * namespace (traffic from it). Each call replaces the previous shaping; `clear` removes it.
 */
export async function labShape(dir: string, hostName: string, options: ShapeOptions): Promise<void> {
  const state = requireState(dir);
  const host = requireHost(state, hostName);
  requireNetns(state, 'lab shape');
  if (!options.clear && !options.rate && !options.delay)
    throw new HwqualError('E_USAGE', 'lab shape: give --rate, --delay or --clear');
  if (options.clear && (options.rate || options.delay))
    throw new HwqualError('E_USAGE', 'lab shape: --clear takes no --rate or --delay');
  if (options.delay) parseDelay(options.delay);
  if (options.rate) tbfArgs(options.rate);
  const sides: Array<{ dev: string; tc: Tc }> = [
    { dev: host.vethHost!, tc: (args) => run('tc', args) },
    { dev: 'eth0', tc: (args) => run('ip', ['netns', 'exec', host.netns!, 'tc', ...args]) },
  ];
  for (const side of sides) {
    if (options.clear) await clearRoot(side.dev, side.tc);
    else await applyShape(side.dev, side.tc, options, host.name);
  }
}

async function applyShape(dev: string, tc: Tc, o: ShapeOptions, host: string): Promise<void> {
  if (o.delay) {
    // Tried first, on the first side: when the kernel lacks netem nothing has changed yet.
    const r = await tc(['qdisc', 'replace', 'dev', dev, 'root', 'handle', '1:', 'netem', 'delay', o.delay]);
    if (r.exitCode !== 0 && UNKNOWN_QDISC.test(r.stderr)) {
      throw new HwqualError(
        'E_COMMAND',
        `lab shape --delay needs the netem qdisc, which this kernel does not have ` +
          `(tc: "${r.stderr.trim()}"); nothing was changed`,
        { host },
      );
    }
    ensureOk(r);
    if (o.rate)
      ensureOk(await tc(['qdisc', 'replace', 'dev', dev, 'parent', '1:1', 'handle', '10:', ...tbfArgs(o.rate)]));
    return;
  }
  ensureOk(await tc(['qdisc', 'replace', 'dev', dev, 'root', ...tbfArgs(o.rate!)]));
}

async function clearRoot(dev: string, tc: Tc): Promise<void> {
  const r = await tc(['qdisc', 'del', 'dev', dev, 'root']);
  // Nothing to delete (the default qdisc is in place) is what we wanted.
  if (r.exitCode !== 0 && !/handle of zero|No such file or directory|Invalid handle/i.test(r.stderr)) ensureOk(r);
}

function ensureOk(r: ExecResult): void {
  if (r.exitCode !== 0) throw new CommandError(commandErrorCode(r), r);
}
