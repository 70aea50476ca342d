import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import type { PlanView } from '../../src/suite-api/types.ts';
import { faultFor } from '../../suites/live-migration/fault-settings.ts';
import { migrationSettings } from '../../suites/live-migration/settings.ts';

const plan = (migration: Record<string, unknown>): PlanView => ({
  name: 'p',
  require: {},
  matrix: {},
  settings: { migration },
});
const hosts = [{ name: 'node-a' }, { name: 'node-b' }] as never;
const lab = mkdtempSync(join(tmpdir(), 'hwq-fault-'));
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

  it('bad input names the exact field', () => {
    const bad = (fault: unknown) => () => migrationSettings(plan({ fault }), hosts);
    expect(bad('kill')).toThrow(/settings\.migration\.fault must be an object/);
    expect(bad({ kind: 'reboot' })).toThrow(/fault\.kind must be kill-destination or link-down/);
    expect(bad({ kind: 'kill-destination', after: 'end' })).toThrow(/fault\.after must be start or postcopy/);
    expect(bad({ kind: 'kill-destination', at: -1 })).toThrow(/fault\.at must be a number of seconds ≥ 0/);
    expect(bad({ kind: 'kill-destination', when: 1 })).toThrow(/fault\.when is not a fault setting/);
    expect(bad({ kind: 'link-down' })).toThrow(/fault\.lab-dir must name the lab-in-a-box folder/);
    expect(bad({ kind: 'link-down', 'lab-dir': lab })).toThrow(
      /fault\.lab-dir: .* holds no lab-in-a-box \(no state\.json\)/,
    );
    expect(() => migrationSettings(plan({ recovery: { 'link-wait': 0 } }), hosts)).toThrow(
      /recovery\.link-wait must be a number ≥ 1/,
    );
  });
});
