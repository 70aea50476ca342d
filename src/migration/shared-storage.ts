import { randomBytes } from 'node:crypto';
import { HwqualError } from '../model/errors.ts';
import { shellQuote } from '../vm/shell.ts';
import type { Endpoint } from './types.ts';

/**
 * Is `dir` the same storage on both hosts? Asked the way Nova asks before a live migration without block migration
 * (nova/virt/libvirt/driver.py `_check_shared_storage_test_file`): a file created on one host must appear on the
 * other. Here it is created on the source and looked for on the destination, then removed. Throws E_CONFIG
 * ("<dir> is not shared between A and B") when it does not appear — the lab is wrong, not the hardware — and
 * before any guest boots.
 */
export async function checkSharedStorage(
  a: Endpoint,
  b: Endpoint,
  dir: string,
  o: { signal?: AbortSignal } = {},
): Promise<string> {
  const file = `${dir.replace(/\/+$/, '')}/hwqual-shared-${randomBytes(8).toString('hex')}`;
  const q = shellQuote(file);
  const made = await a.transport.exec(`touch ${q}`, { timeoutMs: 30_000, signal: o.signal });
  if (made.exitCode !== 0)
    throw new HwqualError(
      'E_CONFIG',
      `cannot create a file in ${dir} on ${a.name} to see whether it is shared: ${made.stderr.trim()}`,
      { host: a.name },
    );
  try {
    const seen = await b.transport.exec(`test -e ${q}`, { timeoutMs: 30_000, signal: o.signal });
    if (seen.exitCode !== 0)
      throw new HwqualError(
        'E_CONFIG',
        `${dir} is not shared between ${a.name} and ${b.name} (a file created there on ${a.name} is not on ` +
          `${b.name}): disk migration needs storage both hosts see`,
        { host: b.name },
      );
  } finally {
    await a.transport.exec(`rm -f ${q}`, { timeoutMs: 30_000 }).catch(() => {});
  }
  return `${dir} is shared between ${a.name} and ${b.name} (a file created on ${a.name} appeared on ${b.name})`;
}
