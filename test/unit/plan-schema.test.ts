// The composed plan schema: every suite's part in it, published as `hwqual schema` and docs/schemas/, and a suite
// outside suites/ adds its keys the same way.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { composePlanSchema, fixedSchema, loadPlanParts, planSchema, suiteDirs } from '../../src/config/index.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { planProblems } from '../support/plan-check.ts';
import { hwqualInProcess } from '../support/main.ts';
import { tempDir } from '../support/temp-dir.ts';

type Props = Record<string, { properties?: Record<string, unknown> }>;

const hwqual = hwqualInProcess;
afterEach(() => {
  process.exitCode = undefined;
});

describe('the plan schema', () => {
  it("holds every built-in suite's keys: require, settings and the top-level migration block", async () => {
    const props = (await planSchema(suiteDirs(''))).properties as Props;
    expect(Object.keys(props.require!.properties!).sort()).toEqual(
      expect.arrayContaining(['qemu', 'kernelCmdline', 'hugepages', 'cc', 'crypto', 'cpuModels', 'cpuFlags']),
    );
    expect(Object.keys(props.settings!.properties!).sort()).toEqual([
      'accel',
      'cpuPool',
      'drift',
      'driver',
      'encryption',
      'guestImages',
      'migration',
      'openstack',
    ]);
    expect(props.migration).toEqual(props.settings!.properties!.migration);
  });

  it('hwqual schema plan|lab|waivers|grid prints them; docs/schemas/ holds the same (npm run schemas)', async () => {
    const saved = process.env.HWQUAL_SUITES_PATH;
    process.env.HWQUAL_SUITES_PATH = '';
    try {
      for (const kind of ['plan', 'lab', 'waivers', 'grid'] as const) {
        const r = await hwqual('schema', kind);
        expect(r.code).toBe(0);
        const printed = JSON.parse(r.out);
        expect(printed).toEqual(kind === 'plan' ? await planSchema(suiteDirs('')) : fixedSchema(kind));
        const published = JSON.parse(readFileSync(join(PROJECT_ROOT, `docs/schemas/${kind}.schema.json`), 'utf8'));
        expect(published, `docs/schemas/${kind}.schema.json is stale: npm run schemas`).toEqual(printed);
      }
      expect((await hwqual('schema', 'plans')).code).toBe(2);
    } finally {
      process.env.HWQUAL_SUITES_PATH = saved;
    }
  });

  it('two suites declaring one key differently is hwqual’s bug, not the user’s', () => {
    expect(() =>
      composePlanSchema([
        { suite: 'a', settings: { x: { type: 'string' } } },
        { suite: 'b', settings: { x: { type: 'number' } } },
      ]),
    ).toThrow(
      expect.objectContaining({ code: 'E_INTERNAL', message: expect.stringMatching(/settings\.x .* a and b/) }),
    );
  });

  it('a suite from HWQUAL_SUITES_PATH adds its own settings key; without it the key is unknown', async () => {
    const parts = await loadPlanParts(suiteDirs(join(import.meta.dirname, '../fixtures/suites')));
    expect(parts.map((p) => p.suite)).toContain('demo-behaviours');
    expect(await planProblems({ name: 'p', suites: ['demo-behaviours'], settings: { flakyMarker: '/tmp/m' } })).toEqual(
      [],
    );
    const builtIn = composePlanSchema(await loadPlanParts(suiteDirs('')));
    expect(Object.keys((builtIn.properties as Props).settings!.properties!)).not.toContain('flakyMarker');
  });

  it('reports every problem of the issue’s examples at once, each with its field', async () => {
    expect(
      await planProblems({
        name: 'p',
        suites: ['live-migration', 'guest-images'],
        images: ['nonexistent-image'],
        migration: { 'ping-pong': 0, pairs: [['node-a', 'node-x']] },
        settings: { guestImages: { readyTimeoutSecs: 10 } },
      }),
    ).toEqual([
      'plan.yaml: /settings/guestImages/readyTimeoutSecs is not a known field',
      'plan.yaml: /migration/ping-pong must be >= 1',
      'plan.yaml: /images/0 "nonexistent-image" is not a built-in image (tiny, tiny-generic, debian12, ' +
        'debian12-cloudinit); a user image is an object',
      'plan.yaml: /migration/pairs/0/1 "node-x" is not a host the plan selects (node-a, node-b)',
    ]);
    expect(
      await planProblems({ name: 'p', suites: ['live-migration'], migration: { strategis: ['precopy'] } }),
    ).toEqual(['plan.yaml: /migration/strategis is not a known field']);
  });

  it('encrypted disk migration and guest AES gates: bad input named by its field', async () => {
    expect(
      await planProblems({
        name: 'p',
        suites: ['live-migration', 'encryption'],
        migration: { disk: { luks: false, sizeMiB: 16, wrongKey: true } },
        require: { crypto: { guestAesXtsEncryptMiBs: 'fast', guestAesXtsDecryptMiBs: 0 } },
        settings: { encryption: { guest: true, append: 'a\nb' } },
      }),
    ).toEqual([
      'plan.yaml: /require/crypto/guestAesXtsEncryptMiBs must be number',
      'plan.yaml: /require/crypto/guestAesXtsDecryptMiBs must be > 0',
      'plan.yaml: /settings/encryption/append must match pattern "^[^\\n]*$"',
      'plan.yaml: /migration/disk/sizeMiB must be >= 32',
      'plan.yaml: /migration/disk disk migration needs settings.migration.sharedStorage (a directory every host of ' +
        'the pairs sees)',
      'plan.yaml: /migration/disk/wrongKey wrongKey needs luks: true (a key to get wrong)',
    ]);
    expect(
      await planProblems({
        name: 'p',
        suites: ['live-migration'],
        migration: { sharedStorage: 'relative/dir', disk: { luks: true } },
      }),
    ).toEqual(['plan.yaml: /migration/sharedStorage must match pattern "^/"']);
  });

  it('driver libvirt: a data disk is refused at validation (driven through QMP only)', async () => {
    const disk = { sharedStorage: '/srv/shared', disk: { luks: true } };
    expect(await planProblems({ name: 'p', suites: ['live-migration'], driver: 'libvirt', migration: disk })).toEqual([
      expect.stringMatching(/^plan\.yaml: \/migration\/disk has no equivalent on driver libvirt: the data disk/),
    ]);
    expect(await planProblems({ name: 'p', suites: ['live-migration'], migration: disk })).toEqual([]);
  });

  it('through the CLI: a disk without sharedStorage and a non-number guest gate exit 2 naming the field', async () => {
    const dir = tempDir('hwqual-enc-plan-');
    try {
      const lab = join(PROJECT_ROOT, 'fixtures/labs/three-hosts.yaml');
      const plans = {
        'disk.yaml': { name: 'p', suites: ['live-migration'], migration: { disk: { luks: true } } },
        'gate.yaml': { name: 'p', suites: ['encryption'], require: { crypto: { guestAesXtsDecryptMiBs: '800' } } },
      };
      const want = {
        'disk.yaml': 'disk.yaml: /migration/disk disk migration needs settings.migration.sharedStorage',
        'gate.yaml': 'gate.yaml: /require/crypto/guestAesXtsDecryptMiBs must be number',
      };
      for (const [name, plan] of Object.entries(plans)) {
        writeFileSync(join(dir, name), JSON.stringify(plan));
        const r = await hwqual('validate', '--lab', lab, '--plan', join(dir, name));
        expect([r.code, r.err]).toEqual([2, expect.stringContaining(want[name as keyof typeof want])]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
