import { errorCodeOf, messageOf, type CaseContext, type CaseDef } from '../../src/suite-api/index.ts';
import {
  ensureImage,
  imageVmSpec,
  launchVm,
  resolveAccel,
  stageImage,
  waitUntilReady,
  type Vm,
} from '../../src/suite-api/vm.ts';
import { clearTextLines, encryptedDisk, keyInProcessList, makeEncryptedDisk, type EncryptedDisk } from './qemu-disk.ts';

/**
 * The tiny guest prints the first line of its only disk (the encrypted one is /dev/vda: tiny has no disk of its own),
 * then stays up so that `ps` can be looked at while QEMU holds the key; teardown ends it.
 */
const GUEST_READ = 'echo "HWQUAL-DISK-READ $(head -n 1 /dev/vda)"\nexec sleep 3600\n';
const READ_LINE = /HWQUAL-DISK-READ (\S*)/;

/**
 * An encrypted guest disk: qcow2 with LUKS made by qemu-img (key in a 0600 file), a pattern written through QEMU's
 * userspace LUKS, the image holds no clear pattern, the tiny guest reads the pattern back, `ps` never shows the key,
 * and the wrong key makes QEMU refuse to attach the disk.
 */
export function qemuDiskCase(): CaseDef {
  return {
    id: 'qemu-luks-disk',
    title: 'Encrypted guest disk (qcow2 + LUKS, key from a secret file): the guest reads it, the wrong key is refused',
    tags: ['luks', 'qemu', 'guest'],
    requires: [{ live: true }, { arch: 'x86_64' }],
    timeoutSec: 300,
    async run(ctx) {
      const d = await makeEncryptedDisk(ctx);
      ctx.metric('qemu_img_create_attempts', d.createAttempts);
      ctx.check.equal('clear pattern lines in the image file (grep -c)', await clearTextLines(ctx, d), 0);

      const { accel } = await resolveAccel(ctx.transport, ctx.plan.accel, { signal: ctx.signal });
      const image = await stageImage(ctx.transport, await ensureImage('tiny'), ctx.signal);
      const spec = (keyFile: string, name: string) =>
        imageVmSpec(image, {
          accel,
          cpu: accel === 'kvm' ? 'host' : 'max',
          run: 'script',
          script: GUEST_READ,
          name,
          extraDisks: [encryptedDisk(d.disk, keyFile)],
        });

      const driver = ctx.plan.driver;
      const vm = await launchVm(ctx.transport, spec(d.keyFile, 'luks-disk'), { signal: ctx.signal, driver });
      await ctx.artifact(vm.definition.artifact, vm.definition.text);
      ctx.defer(() => vm.teardown());
      const seen = await readBack(ctx, vm, image);
      const ps = await keyInProcessList((command) => ctx.exec(command, { readOnly: true }), d.keyFile, driver);
      await vm.teardown();
      ctx.log(
        `guest read: ${seen}; ` +
          `ps: ${ps.withSecretObject} process(es) with the secret object, ${ps.withKey} with the key`,
      );
      ctx.check.equal('first line the guest read from the encrypted disk', seen, d.pattern);
      ctx.check.equal('processes whose command line holds the key (ps)', ps.withKey, 0);
      ctx.check.atLeast(
        driver === 'libvirt'
          ? "processes with libvirt's secret objects (ps saw QEMU)"
          : 'processes naming the secret object by file (ps saw QEMU)',
        ps.withSecretObject,
        1,
      );

      const refused = await launchVm(ctx.transport, spec(d.wrongKeyFile, 'luks-disk-wrong-key'), {
        signal: ctx.signal,
        driver,
      }).then(
        async (wrong) => {
          await wrong.teardown();
          return undefined;
        },
        (err: unknown) => err,
      );
      if (refused && errorCodeOf(refused) !== 'E_VM') throw refused;
      const why = refused ? messageOf(refused) : 'QEMU started with the wrong key';
      ctx.log(`wrong key: ${why}`);
      ctx.fact('qemuLuksWrongKey', why);
      ctx.check.match('QEMU refuses the wrong key', why, /Invalid password|cannot unlock/i);
    },
  };
}

async function readBack(ctx: CaseContext, vm: Vm, image: Awaited<ReturnType<typeof ensureImage>>): Promise<string> {
  await waitUntilReady(vm, image, { timeoutMs: 120_000, signal: ctx.signal });
  const m = await vm.waitForConsole(READ_LINE, { timeoutMs: 60_000, signal: ctx.signal });
  return m.match[1];
}

export type { EncryptedDisk };
