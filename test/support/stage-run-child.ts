// One run of its own (a separate process, as a second controller or CI job would be) that stages an image on a lab
// host over SSH and, with `boot`, boots it to ready under TCG and shuts it down. Used by image-staging.test.ts.
// argv: <HostConfig JSON> <BuiltImage JSON> stage|boot ; prints one JSON line: { outcome, kernel, facts? }.
import type { HostConfig } from '../../src/config/types.ts';
import { SshTransport } from '../../src/transport/ssh.ts';
import { bootImage } from '../../src/vm/images/boot.ts';
import type { BuiltImage } from '../../src/vm/images/built-image.ts';
import { stageImageOn } from '../../src/vm/images/stage.ts';

const [hostJson, imageJson, mode] = process.argv.slice(2);
const t = new SshTransport(JSON.parse(hostJson!) as HostConfig);
try {
  const image = JSON.parse(imageJson!) as BuiltImage;
  const staged = await stageImageOn(t, image);
  let kernelRelease: string | undefined;
  if (mode === 'boot') {
    const { vm, facts } = await bootImage(t, image, { accel: 'tcg', run: 'facts', name: 'stage-run' });
    kernelRelease = facts?.kernel;
    await vm.teardown();
  }
  process.stdout.write(`${JSON.stringify({ outcome: staged.outcome, kernel: staged.image.kernel, kernelRelease })}\n`);
} finally {
  await t.close();
}
