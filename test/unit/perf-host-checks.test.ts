// The host-checks suite: its checks file (the shipped one and bad ones), and its cases through the real runner on
// this machine (LocalTransport): passes on exit 0, fails with the command's output otherwise.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostChecksPath, loadHostChecks, parseHostChecks } from '../../suites/host-checks/checks-file.ts';
import { HOST_CHECKS } from '../support/paths.ts';
import { runSuitesLocally } from '../support/run-local.ts';
import { tempDir } from '../support/temp-dir.ts';

const dir = tempDir('hwqual-host-checks-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checks file', () => {
  it('is the shipped fixtures/host-checks.json by default: 30 checks with unique ids', () => {
    expect(hostChecksPath({})).toBe(HOST_CHECKS);
    const checks = loadHostChecks(hostChecksPath({}));
    expect(checks).toHaveLength(30);
    expect(new Set(checks.map((c) => c.id)).size).toBe(30);
    expect(checks.find((c) => c.id === 'os-release')?.cmd).toContain('/etc/os-release');
    expect(hostChecksPath({ HWQUAL_HOST_CHECKS: '/x/y.json' })).toBe('/x/y.json');
  });

  it('refuses bad files with E_CONFIG and says what is wrong', () => {
    expect(() => parseHostChecks('{', 'f.json')).toThrow(/f.json: not valid JSON/);
    expect(() => parseHostChecks('{}', 'f.json')).toThrow(/must be a list/);
    expect(() => parseHostChecks('[{"id":"a b","cmd":"true"}]')).toThrow(/\[0\]\.id/);
    expect(() => parseHostChecks('[{"id":"a","cmd":""}]')).toThrow(/\[0\]\.cmd/);
    expect(() => parseHostChecks('[{"id":"a","cmd":"true"},{"id":"a","cmd":"false"}]')).toThrow(/id a appears twice/);
    expect(() => parseHostChecks('[{"id":"a","cmd":"true","root":"yes"}]')).toThrow(/\[0\]\.root \(a\) must be one of/);
    expect(parseHostChecks('[{"id":"a","cmd":"dmesg","root":"required"}]')).toEqual([
      { id: 'a', cmd: 'dmesg', root: 'required' },
    ]);
    try {
      loadHostChecks(join(dir, 'missing.json'));
      expect.unreachable();
    } catch (err) {
      expect((err as { code?: string }).code).toBe('E_CONFIG');
    }
  });
});

describe('host-checks suite on this machine', () => {
  it('one read-only case per check; exit 0 passes, anything else fails with the output', async () => {
    const file = join(dir, 'checks.json');
    writeFileSync(
      file,
      JSON.stringify([
        { id: 'holds', cmd: 'test -r /proc/cmdline' },
        { id: 'broken', cmd: 'echo "wanted 42, saw 7" >&2; exit 3' },
        { id: 'missing-tool', cmd: 'no-such-tool-hwqual --version' },
      ]),
    );
    process.env.HWQUAL_HOST_CHECKS = file;
    try {
      const { byId, results } = await runSuitesLocally(['host-checks']);
      expect(results.cases).toHaveLength(3);
      expect(byId('holds').status).toBe('passed');
      expect(byId('broken')).toMatchObject({ status: 'failed' });
      expect(byId('broken').message).toContain('exited 3');
      expect(byId('broken').message).toContain('wanted 42, saw 7');
      expect(byId('missing-tool')).toMatchObject({ status: 'failed' });
      expect(byId('missing-tool').actual).toMatch(/exit 127/);
    } finally {
      delete process.env.HWQUAL_HOST_CHECKS;
    }
  });
});
