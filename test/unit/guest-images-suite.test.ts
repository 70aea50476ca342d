import { describe, expect, it } from 'vitest';
import { parseGuestFacts } from '../../src/probe/guest-facts.ts';
import type { HostInfo } from '../../src/suite-api/types.ts';
import suite from '../../suites/guest-images/index.ts';
import { guestProblemLines as consoleProblems } from '../../src/vm/panic.ts';
import { diskProblems, memoryProblem } from '../../suites/guest-images/guest-checks.ts';
import { guestImageSettings } from '../../suites/guest-images/settings.ts';
import { planProblems, planViewOf } from '../support/plan-check.ts';

const host: HostInfo = { name: 'h', address: 'h', migrationAddress: 'h', labels: {}, facts: {}, replayed: false };
const view = planViewOf;
const userImg = { name: 'mine', disk: { path: '/srv/mine.qcow2' }, ready: { guestAgent: true as const } };

describe('guest-images plan axes and case list', () => {
  it('defaults to tiny × max; cases are image × cpuModel with both in the params', () => {
    expect(suite.cases(host, view({})).map((c) => [c.id, c.params])).toEqual([
      ['boot', { image: 'tiny', cpuModel: 'max' }],
    ]);
    const cases = suite.cases(
      host,
      view({ matrix: { images: ['tiny', userImg], cpuModels: ['max', 'Nehalem,-aes'] } }),
    );
    expect(cases.map((c) => c.params)).toEqual([
      { image: 'tiny', cpuModel: 'max' },
      { image: 'tiny', cpuModel: 'Nehalem,-aes' },
      { image: 'mine', cpuModel: 'max' },
      { image: 'mine', cpuModel: 'Nehalem,-aes' },
    ]);
    expect(cases[0].timeoutSec).toBe(120 + 60 + 120);
    expect(cases[2].timeoutSec).toBe(300 + 60 + 120);
  });

  it('rejects unknown built-in names, invalid user images and duplicate names at validation', async () => {
    const problems = (images: unknown[], settings: Record<string, unknown> = {}) =>
      planProblems({ name: 'p', suites: ['guest-images'], images, settings });
    expect(await problems(['tinyy'])).toEqual([
      'plan.yaml: /images/0 "tinyy" is not a built-in image (tiny, tiny-generic, debian12, debian12-cloudinit); ' +
        'a user image is an object',
    ]);
    expect(await problems([{ name: 'x', ready: { console: '(' }, kernel: { kernel: '/k' } }])).toEqual([
      'plan.yaml: /images/0/ready/console is not a valid regex: Invalid regular expression: /(/: Unterminated group',
    ]);
    expect(await problems([{ name: 'x', ready: { guestAgent: true } }])).toEqual([
      "plan.yaml: /images/0 must have required property 'disk' or must have required property 'kernel'",
    ]);
    expect(await problems(['tiny', { ...userImg, name: 'tiny' }])).toEqual([
      `plan.yaml: /images/1 image name "tiny" is also /images/0's`,
    ]);
    expect(await problems(['tiny'], { guestImages: { scratchDiskMiB: -1 } })).toEqual([
      'plan.yaml: /settings/guestImages/scratchDiskMiB must be >= 1',
    ]);
  });

  it('reads accel and the suite settings', () => {
    expect(
      guestImageSettings(
        view({ settings: { accel: 'tcg', guestImages: { caseTimeoutSec: 10, readyTimeoutSec: 30 } } }),
      ),
    ).toMatchObject({
      accel: 'tcg',
      caseTimeoutSec: 10,
      readyTimeoutSec: 30,
      shutdownTimeoutSec: 60,
      scratchDiskMiB: 64,
    });
  });
});

describe('guest-images checks', () => {
  const facts = parseGuestFacts(
    'HWQUAL-FACTS-BEGIN\nHWQUAL-FACT block_devices=vda:131072,vdb:2048\nHWQUAL-FACT ' +
      'mem_total_kib=222620\nHWQUAL-FACTS-END\n',
  )!;
  it('disks: present with the expected size', () => {
    expect(diskProblems(facts, [{ name: 'vda', sectors: 131072, what: 'scratch' }])).toEqual([]);
    expect(diskProblems(facts, [{ name: 'vdb', sectors: 4096, what: 'scratch' }])).toEqual([
      'vdb (scratch) has 2048 sectors, expected 4096',
    ]);
    expect(diskProblems(facts, [{ name: 'vdc', sectors: 1, what: 'seed' }])).toEqual([
      'vdc (seed) is missing; the guest sees vda, vdb',
    ]);
  });

  it('memory: MemTotal between 70% and 100% of what QEMU gave', () => {
    expect(memoryProblem(222620, 256)).toBeUndefined();
    expect(memoryProblem(100_000, 256)).toMatch(/is 38% of the 256 MiB given/);
    expect(memoryProblem(300_000, 256)).toMatch(/is 114%/);
    expect(memoryProblem(undefined, 256)).toMatch(/did not report MemTotal/);
  });

  it('console: panic, oops and BUG lines are found, the panic line first', () => {
    const text =
      '[    1.0] Booting\n[    2.1] BUG: unable to handle page fault for address: 0000\n' +
      '[    2.2] Oops: 0000 [#1] SMP\n' +
      '[    2.3] Kernel panic - not syncing: Fatal exception\n';
    expect(consoleProblems(text)).toEqual([
      'Kernel panic - not syncing: Fatal exception',
      'BUG: unable to handle page fault for address: 0000',
      'Oops: 0000 [#1] SMP',
    ]);
    expect(consoleProblems('HWQUAL-READY image=tiny\nHWQUAL-POWEROFF\n[ 5.2] reboot: Power down\n')).toEqual([]);
  });
});
