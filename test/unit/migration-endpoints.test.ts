// Migration endpoints from a lab file: hosts picked by name in order, an unknown name refused before anything
// connects, and every transport closed again.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLabEndpoints } from '../../src/cli/lab-endpoints.ts';

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

  it('refuses a host the lab does not have, naming it and the file', async () => {
    await expect(openLabEndpoints(LAB, { names: ['local', 'node-z'] })).rejects.toThrow(
      expect.objectContaining({
        code: 'E_USAGE',
        message: expect.stringMatching(/host node-z is not in .*local\.yaml/),
      }),
    );
  });
});
