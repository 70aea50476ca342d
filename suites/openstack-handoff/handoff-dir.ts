import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fragmentFile, HwqualError, parseHandoff, type Handoff } from '../../src/suite-api/plan-part.ts';

/** A hand-off folder read back: handoff.json and each pool's nova-compute.conf fragment, as written. */
export interface HandoffDir {
  dir: string;
  handoff: Handoff;
  /** pool → the fragment's text, byte for byte what goes to the hosts. */
  fragments: Record<string, string>;
}

/** Read what `hwqual openstack` wrote (a few KiB, read as the files are now); missing or bad → E_CONFIG naming it. */
export function loadHandoffDir(dir: string): HandoffDir {
  const abs = resolve(dir);
  const read = (name: string) => {
    try {
      return readFileSync(join(abs, name), 'utf8');
    } catch (err) {
      throw new HwqualError(
        'E_CONFIG',
        `${join(abs, name)}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (err as Error).message}` +
          ' (write the hand-off with hwqual openstack <run>)',
      );
    }
  };
  const handoff = parseHandoff(read('handoff.json'), join(abs, 'handoff.json'));
  const fragments = Object.fromEntries(handoff.pools.map((p) => [p.pool, read(fragmentFile(p))]));
  return { dir: abs, handoff, fragments };
}
