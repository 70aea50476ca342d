// Migration endpoints from a lab file: hosts picked by name in order, data sent to their migration addresses, an
// unknown name refused before anything connects, and every transport closed again.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLabEndpoints } from '../../src/cli/lab-endpoints.ts';
import { tempDir } from '../support/temp-dir.ts';

const LAB = join(import.meta.dirname, '../../fixtures/labs/local.yaml');

describe('openLabEndpoints', () => {
  it('opens the named hosts (default: all) with their lab addresses, and closes them', async () => {
    const lab = await openLabEndpoints(LAB);
    try {
      expect(lab.ends.map((e) => [e.name, e.address, e.transport.host])).toEqual([['local', 'local', 'local']]);
      expect((await lab.ends[0].transport.exec('echo ok')).stdout.trim()).toBe('ok');
    } finally {
      await lab.close();
    }
  });

  it("sends migration data to a host's migrationAddress, not to the address SSH dials", async () => {
    const dir = tempDir('hwqual-endpoints-');
    const lab = join(dir, 'lab.yaml');
    writeFileSync(lab, 'hosts:\n  - { name: local, address: local, migrationAddress: 10.20.0.7 }\n');
    const ends = await openLabEndpoints(lab);
    try {
      expect(ends.ends.map((e) => [e.name, e.address, e.transport.kind])).toEqual([['local', '10.20.0.7', 'local']]);
    } finally {
      await ends.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a host the lab does not have, naming it and the file', async () => {
    await expect(openLabEndpoints(LAB, { names: ['local', 'node-z'] })).rejects.toThrow(
      expect.objectContaining({
        code: 'E_USAGE',
        message: expect.stringMatching(/host node-z is not in .*local\.yaml/),
      }),
    );
  });
});
