// Images staged by content on one lab host (a real sshd on 127.0.0.1, so the staging folder is also visible here):
// three separate hwqual processes stage the same image at once and two of them boot it; the folder is published once
// and never removed or replaced under them. `hwqual images prune` removes it only when no QEMU uses it.
// The image is the tiny one under a test-only key, so nothing staged by other runs on this machine is touched.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshTransport } from '../../src/transport/ssh.ts';
import { launchImage } from '../../src/vm/images/boot.ts';
import { ensureImage } from '../../src/vm/images/builder.ts';
import type { BuiltImage } from '../../src/vm/images/built-image.ts';
import { pruneStagedImages } from '../../src/vm/images/prune.ts';
import { stagedDir, stagingRoot } from '../../src/vm/images/stage.ts';
import { runCli } from '../support/cli.ts';
import { startSshd, type SshdHandle } from '../support/sshd.ts';
import { waitFor } from '../support/wait.ts';
import { tempDir } from '../support/temp-dir.ts';

const CHILD = join(import.meta.dirname, '../support/stage-run-child.ts');

let sshd: SshdHandle;
let t: SshTransport;
let image: BuiltImage;
let dir: string;
let tmp: string;

/** A run of its own: a separate node process (no state shared with this one or the other runs). */
function run(mode: 'stage' | 'boot', name: string): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, JSON.stringify(sshd.hostConfig({ name })), JSON.stringify(image), mode],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

beforeAll(async () => {
  const tiny = await ensureImage('tiny');
  image = { ...tiny, key: `${tiny.key}-t${Math.random().toString(36).slice(2, 8)}` };
  dir = stagedDir(image);
  sshd = await startSshd({ name: 'stage-host' });
  t = new SshTransport(sshd.host);
  await t.connect();
  tmp = tempDir('hwqual-stage-');
}, 120_000);
afterAll(async () => {
  await pruneStagedImages(t, { unusedForMs: 0, names: [basename(dir)] }).catch(() => {});
  await t?.close();
  await sshd?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('staging an image by content', () => {
  it('two runs stage and boot it at once while a third stages it too: published once, never replaced', async () => {
    expect(existsSync(dir)).toBe(false);
    const seen = new Set<number>();
    let vanished = false;
    const watch = setInterval(() => {
      const inode = existsSync(dir) ? statSync(dir).ino : undefined;
      if (inode !== undefined) seen.add(inode);
      else if (seen.size) vanished = true;
    }, 10);
    const runs = await Promise.all([run('boot', 'run-a'), run('boot', 'run-b'), run('stage', 'run-c')]).finally(() =>
      clearInterval(watch),
    );
    for (const r of runs) expect(r.code, r.err).toBe(0);
    const outs = runs.map((r) => JSON.parse(r.out.trim().split('\n').at(-1)!));
    expect(outs.map((o) => o.outcome).filter((o) => o === 'published')).toHaveLength(1);
    for (const o of outs) {
      expect(['published', 'raced', 'reused']).toContain(o.outcome);
      expect(o.kernel).toBe(`${dir}/vmlinuz`);
    }
    expect(outs[0].kernelRelease).toBe(image.versions.kernelRelease);
    expect(outs[1].kernelRelease).toBe(image.versions.kernelRelease);
    expect(vanished).toBe(false);
    expect(seen.size).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['.complete', '.used', 'initrd.img', 'vmlinuz']);
    expect(statSync(join(dir, 'vmlinuz')).size).toBe(statSync(image.kernel!).size);
    expect(readdirSync(stagingRoot()).filter((n) => n.startsWith(`${basename(dir)}.tmp-`))).toEqual([]);
  }, 240_000);

  it('prune keeps what was used lately or what a QEMU uses, and removes it once neither holds', async () => {
    const name = basename(dir);
    expect(await pruneStagedImages(t, { names: [name] })).toEqual([
      { name, action: 'kept', why: expect.stringMatching(/^used \d+ s ago$/) },
    ]);
    const vm = await launchImage(t, image, { accel: 'tcg', run: 'idle', name: 'stage-prune' });
    try {
      await waitFor(() => vm.isAlive(), 'the QEMU booted from the staged folder');
      expect(await pruneStagedImages(t, { unusedForMs: 0, names: [name] })).toEqual([
        { name, action: 'kept', why: `in use by pid ${vm.pid}` },
      ]);
    } finally {
      await vm.teardown();
    }
    // A copy that never finished (its run died) goes too, once old enough.
    const dead = `${dir}.tmp-dead${process.pid}`;
    mkdirSync(dead);
    writeFileSync(join(dead, 'vmlinuz.part'), 'x');
    utimesSync(dead, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    const removed = await pruneStagedImages(t, { unusedForMs: 0, names: [name, basename(dead)] });
    expect(removed.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name, action: 'removed' },
      { name: basename(dead), action: 'removed' },
    ]);
    expect(existsSync(dir) || existsSync(dead)).toBe(false);
  }, 120_000);

  it('hwqual images prune: per host what it kept and removed; a bad duration is exit 2', async () => {
    await t.exec(`mkdir -p ${dir}.tmp-cli && touch ${dir}.tmp-cli/x`); // fresh: kept
    const lab = join(tmp, 'lab.json');
    writeFileSync(
      lab,
      JSON.stringify({
        hosts: [
          { name: 'here', address: 'local' },
          {
            name: 'stage-host',
            address: '127.0.0.1',
            port: sshd.port,
            user: sshd.host.user,
            identityFile: sshd.clientKeyFile,
            knownHosts: sshd.knownHostsFile,
            ssh: { agent: false },
          },
        ],
      }),
    );
    const r = await runCli(['images', 'prune', '--lab', lab, '--unused-for', '3650d']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^stage-host: kept ${basename(dir)}\\.tmp-cli \\(used \\d+ s ago\\)$`, 'm'));
    expect(r.stdout).not.toMatch(/removed/);
    expect(existsSync(`${dir}.tmp-cli`)).toBe(true);
    const bad = await runCli(['images', 'prune', '--lab', lab, '--unused-for', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--unused-for: expected a duration/);
    await pruneStagedImages(t, { unusedForMs: 0, names: [`${basename(dir)}.tmp-cli`] });
    expect(existsSync(`${dir}.tmp-cli`)).toBe(false);
  }, 60_000);
});
