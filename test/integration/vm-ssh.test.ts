// The tiny guest on a host reached over SSH (a real sshd on 127.0.0.1): the image is copied through the
// transport, QEMU runs through it, QMP goes through ssh2's forwarded unix socket, teardown leaves nothing.
// The image is the tiny one under a test-only key: its staged folder is this test's alone, so the test can start from
// none and prune it at the end without pulling a staged image out from under anything else on this machine.
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshTransport } from '../../src/transport/ssh.ts';
import { LocalTransport } from '../../src/transport/local.ts';
import { bootImage } from '../../src/vm/images/boot.ts';
import { ensureImage } from '../../src/vm/images/builder.ts';
import type { BuiltImage } from '../../src/vm/images/built-image.ts';
import { pruneStagedImages } from '../../src/vm/images/prune.ts';
import { stagedDir } from '../../src/vm/images/stage.ts';
import { startSshd, type SshdHandle } from '../support/sshd.ts';
import { qemuRunningIn } from './vm-support.ts';

let sshd: SshdHandle;
let ssh: SshTransport;
let tiny: BuiltImage;

beforeAll(async () => {
  const built = await ensureImage('tiny');
  tiny = { ...built, key: `${built.key}-t${Math.random().toString(36).slice(2, 8)}` };
  sshd = await startSshd({ name: 'vm-host' });
  ssh = new SshTransport(sshd.host);
  await ssh.connect();
});
afterAll(async () => {
  await pruneStagedImages(ssh, { unusedForMs: 0, names: [basename(stagedDir(tiny))] }).catch(() => {});
  await ssh?.close();
  await sshd?.stop();
});

describe('tiny guest over SSH', () => {
  it('boots with the image copied through the transport and QMP through the forwarded socket', async () => {
    expect((await ssh.exec(`test -e ${stagedDir(tiny)}`)).exitCode).not.toBe(0);
    const { vm, facts } = await bootImage(ssh, tiny, { accel: 'tcg', run: 'idle' });
    try {
      expect(vm.spec.kernel?.kernel).toBe(`${stagedDir(tiny)}/vmlinuz`);
      const sizes = await new LocalTransport('local').exec(`stat -c %s ${tiny.kernel} ${stagedDir(tiny)}/vmlinuz`);
      const [a, b] = sizes.stdout.trim().split('\n');
      expect(b).toBe(a);
      expect(facts?.kernel).toMatch(/cloud-amd64/);
      expect((await vm.qmp.queryStatus()).running).toBe(true);
      expect((await vm.qmp.queryVersion()).qemu.major).toBeGreaterThanOrEqual(7);
      expect(await qemuRunningIn(vm.paths.workDir)).toBe(true);
    } finally {
      await vm.teardown();
    }
    expect(vm.console.text).toContain('HWQUAL-HEARTBEAT');
    expect(await qemuRunningIn(vm.paths.workDir)).toBe(false);
    expect((await ssh.exec(`test -e ${vm.paths.workDir}`)).exitCode).not.toBe(0);
  });
});
