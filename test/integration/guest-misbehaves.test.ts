// A guest that misbehaves fails as the guest's fault, in its own words; only a lab problem is an error. The
// guest-images suite through the real CLI on this machine, with small purpose-built guests (test/support/
// misbehaving-guest.ts: the tiny kernel, an init of ours, and a module that makes the guest kernel hit a real BUG):
// ready, then a kernel BUG, then poweroff → failed quoting the BUG line; never ready → failed with the last console
// lines; a kernel path that does not exist → QEMU never starts → error. Three TCG boots, one of them runs to its
// ready timeout (15 s).
import { execSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { CaseResult, RunResults } from '../../src/model/result.ts';
import { ensureImage } from '../../src/vm/images/builder.ts';
import { runCli } from '../support/cli.ts';
import { misbehavingGuest } from '../support/misbehaving-guest.ts';
import { tempDir } from '../support/temp-dir.ts';

let dir: string;
let results: RunResults;
const byImage = (image: string): CaseResult => {
  const c = results.cases.find((x) => x.params.image === image);
  if (!c) throw new Error(`no case for image ${image}: ${results.cases.map((x) => x.id).join(', ')}`);
  return c;
};
const consoleLog = (c: CaseResult) =>
  readFileSync(join(dir, 'out', c.artifacts.find((a) => a.name === 'console.log')!.path), 'utf8');

beforeAll(async () => {
  dir = tempDir('hwqual-misbehave-run-');
  const guest = await misbehavingGuest(await ensureImage('tiny'));
  const image = (name: string, mode: string, kernel = guest.kernel) => ({
    name,
    kernel: { kernel, initrd: guest.initrd, append: `${guest.append} hwqual.misbehave=${mode}` },
    ready: { console: 'MISBEHAVE-READY' },
  });
  writeFileSync(join(dir, 'lab.yaml'), stringify({ hosts: [{ name: 'local', address: 'local' }] }));
  writeFileSync(
    join(dir, 'plan.yaml'),
    stringify({
      name: 'misbehaving-guests',
      suites: ['guest-images'],
      images: [
        image('bugs-out', 'bug-then-poweroff'),
        image('never-ready', 'never-ready'),
        image('no-kernel', 'bug-then-poweroff', join(dir, 'there-is-no-such/vmlinuz')),
      ],
      cpuModels: ['max'],
      settings: { accel: 'tcg', guestImages: { readyTimeoutSec: 15, shutdownTimeoutSec: 10 } },
    }),
  );
  const run = await runCli([
    'run',
    '--lab',
    join(dir, 'lab.yaml'),
    '--plan',
    join(dir, 'plan.yaml'),
    '--out',
    join(dir, 'out'),
  ]);
  if (!run.stdout.includes('guest-images/boot')) throw new Error(`run printed no cases: ${run.stdout}\n${run.stderr}`);
  results = JSON.parse(readFileSync(join(dir, 'out/results.json'), 'utf8'));
}, 420_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a guest that misbehaves', () => {
  it("ready, then a kernel BUG, then poweroff: failed, quoting the guest's BUG line and what hwqual was doing", () => {
    const c = byImage('bugs-out');
    expect(c.status, c.message).toBe('failed');
    expect(c.message).toMatch(
      /^guest \S+: BUG: kernel NULL pointer dereference, address: 0+ — QEMU exited while hwqual was /,
    );
    expect(c.actual).toMatch(/^BUG: kernel NULL pointer dereference/);
    // The line is the guest kernel's own: the console shows the Oops that followed it, from our module's init.
    expect(consoleLog(c)).toMatch(
      /MISBEHAVE-READY[\s\S]*BUG: kernel NULL pointer dereference[\s\S]*Oops: [\s\S]*hwqual_bug_init/,
    );
  });

  it('booted but never ready: failed, with its last console lines', () => {
    const c = byImage('never-ready');
    expect(c.status, c.message).toBe('failed');
    expect(c.message).toMatch(/booted, never ready within 15 s: last console lines: .*still starting up, step \d+$/);
    expect(consoleLog(c)).not.toContain('MISBEHAVE-READY');
  });

  it('QEMU started with a kernel path that does not exist: error (the lab, not the guest)', () => {
    const c = byImage('no-kernel');
    expect(c.status).toBe('error');
    expect(c.errorCode).toBe('E_VM');
    expect(c.message).toMatch(/QEMU did not start on local .*there-is-no-such\/vmlinuz/);
  });

  it('leaves no QEMU behind', () => {
    expect(execSync("pgrep -f 'hwqual-vms/gi-(bugs-out|never-ready|no-kernel)-' || true").toString().trim()).toBe('');
  });
});
