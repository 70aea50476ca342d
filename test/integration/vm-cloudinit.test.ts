// Users' own images with a cloud-init NoCloud seed: the Debian 12 + cloud-init image, booted as a *user* image
// (disk + kernel paths on the host, readiness by guest agent) with a user-data that leaves a marker.
// Slow (image build + a cloud-init boot under TCG): runs with `npm run test:cloudinit` (HWQUAL_CLOUDINIT_TEST=1).
import { afterAll, describe, expect, it } from 'vitest';
import { LocalTransport } from '../../src/transport/local.ts';
import { ensureImage } from '../../src/vm/images/builder.ts';
import { bootUserImage } from '../../src/vm/images/user-image.ts';
import type { Vm } from '../../src/vm/vm.ts';
import { qemuRunningIn } from './vm-support.ts';

const local = new LocalTransport('local');
let vm: Vm | undefined;

afterAll(async () => {
  await vm?.teardown();
  if (vm) expect(await qemuRunningIn(vm.paths.workDir)).toBe(false);
});

describe.runIf(process.env.HWQUAL_CLOUDINIT_TEST === '1')('user image with a cloud-init NoCloud seed', () => {
  it('runs the user-data (a marker on the console and in a file)', async () => {
    const built = await ensureImage('debian12-cloudinit');
    const userData = [
      '#cloud-config',
      'runcmd:',
      "  - [sh, -c, 'echo hwqual-cloudinit-ok > /var/tmp/hwqual-marker; echo HWQUAL-CLOUDINIT-MARKER > /dev/ttyS0']",
      '',
    ].join('\n');
    const booted = await bootUserImage(
      local,
      {
        name: 'my-debian',
        disk: { path: built.disk!.path, format: 'qcow2' },
        kernel: { kernel: built.kernel!, initrd: built.initrd, append: built.append },
        ready: { guestAgent: true },
        cloudInit: { userData },
        memoryMiB: 1024,
      },
      { accel: 'tcg', vcpus: 2, readyTimeoutMs: 300_000 },
    );
    vm = booted.vm;
    await vm.waitForConsole(/HWQUAL-CLOUDINIT-MARKER/, { timeoutMs: 300_000 });
    const agent = await vm.guestAgent();
    try {
      const r = await agent.exec('/bin/cat', ['/var/tmp/hwqual-marker']);
      expect(r).toMatchObject({ exitCode: 0, stdout: 'hwqual-cloudinit-ok\n' });
      const ds = await agent.exec('/bin/sh', [
        '-c',
        'cloud-init query platform 2>/dev/null || cat /run/cloud-init/status.json',
      ]);
      expect(ds.stdout).toMatch(/nocloud/i);
    } finally {
      agent.close();
    }
  }, 1_200_000);
});
