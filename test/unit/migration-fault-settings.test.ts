import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PlanView } from '../../src/suite-api/types.ts';
import type { MigrationBlock } from '../../suites/live-migration/plan-schema.ts';
import { faultFor } from '../../suites/live-migration/fault-settings.ts';
import { migrationSettings } from '../../suites/live-migration/settings.ts';
import { planProblems } from '../support/plan-check.ts';
import { tempDir } from '../support/temp-dir.ts';

const plan = (migration: MigrationBlock): PlanView => ({
  name: 'p',
  require: {},
  matrix: {},
  settings: { migration },
  accel: 'auto',
  driver: 'qemu',
});
const hosts = [{ name: 'node-a' }, { name: 'node-b' }] as never;
const lab = tempDir('hwq-fault-');
mkdirSync(join(lab, 'with-state'));
writeFileSync(join(lab, 'with-state', 'state.json'), '{}');
afterAll(() => rmSync(lab, { recursive: true, force: true }));

describe('settings.migration.fault, cleanup-wait and recovery', () => {
  it('defaults: no fault, 60 s cleanup wait, 60 s link wait, 120 s resume timeout', () => {
    const s = migrationSettings(plan({}), hosts);
    expect(s.fault).toBeUndefined();
    expect(s.cleanupWaitSec).toBe(60);
    expect(s.recovery).toEqual({ linkWaitSec: 60, resumeTimeoutSec: 120 });
  });

  it('kill-destination after the post-copy switchover becomes the driver fault in ms', () => {
    const s = migrationSettings(
      plan({
        fault: { kind: 'kill-destination', after: 'postcopy', at: 0.5 },
        'cleanup-wait': 10,
        recovery: { 'link-wait': 20 },
      }),
      hosts,
    );
    expect(faultFor(s.fault!, 'node-b')).toEqual({ kind: 'kill-destination', afterMs: 500, after: 'postcopy' });
    expect(s.cleanupWaitSec).toBe(10);
    expect(s.recovery).toEqual({ linkWaitSec: 20, resumeTimeoutSec: 120 });
  });

  it('link-down needs a lab-in-a-box folder and cuts the destination for down-for seconds', () => {
    const s = migrationSettings(
      plan({ fault: { kind: 'link-down', at: 2, 'down-for': 8, 'lab-dir': join(lab, 'with-state') } }),
      hosts,
    );
    const f = faultFor(s.fault!, 'node-b');
    expect(f).toMatchObject({ kind: 'link-down', afterMs: 2000, after: 'start', downForMs: 8000 });
    expect(f.kind === 'link-down' && typeof f.setLink).toBe('function');
  });

  it('bad input is refused before any host, naming the exact field', async () => {
    const bad = (fault: unknown) =>
      planProblems({ name: 'p', suites: ['live-migration'], migration: { fault } }).then((p) => p.join('\n'));
    expect(await bad('kill')).toMatch(/plan\.yaml: \/migration\/fault must be object/);
    expect(await bad({ kind: 'reboot' })).toMatch(
      /\/migration\/fault\/kind must be one of kill-destination, link-down/,
    );
    expect(await bad({ kind: 'kill-destination', after: 'end' })).toMatch(
      /\/fault\/after must be one of start, postcopy/,
    );
    expect(await bad({ kind: 'kill-destination', at: -1 })).toMatch(/\/fault\/at must be >= 0/);
    expect(await bad({ kind: 'kill-destination', when: 1 })).toMatch(/\/fault\/when is not a known field/);
    expect(await bad({ kind: 'link-down' })).toMatch(/\/migration\/fault must have required property 'lab-dir'/);
    expect(await bad({ kind: 'link-down', 'lab-dir': lab })).toMatch(
      /\/migration\/fault\/lab-dir .* holds no lab-in-a-box \(no state\.json\)/,
    );
    expect(
      (
        await planProblems({ name: 'p', suites: ['live-migration'], migration: { recovery: { 'link-wait': 0 } } })
      ).join(),
    ).toMatch(/\/migration\/recovery\/link-wait must be >= 1/);
  });
});
