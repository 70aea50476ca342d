import { defineSuite } from '../../src/suite-api/index.ts';
import { bootCase } from './boot-case.ts';
import { guestImageSettings } from './settings.ts';

/**
 * Guest images: every image × CPU model of the plan boots on every host, shows the CPU flags QEMU says the model
 * gives, sees its disks and memory, shuts down cleanly, and prints no panic/oops/BUG line.
 * Plan: images / matrix.images (built-in names or user images), cpuModels / matrix.cpuModels, settings.accel,
 * settings.guestImages { readyTimeoutSec, shutdownTimeoutSec, caseTimeoutSec, scratchDiskMiB }.
 */
export default defineSuite({
  name: 'guest-images',
  title: 'Guest images boot and see their CPU, disks and memory',
  description:
    'Per image × CPU model: boot to ready, CPU flags vs QEMU model expansion, disks, memory, clean shutdown, no ' +
    'kernel panic/oops/BUG.',
  facts: [],
  tags: ['guest', 'vm'],
  cases(_host, plan) {
    const s = guestImageSettings(plan);
    return s.images.flatMap((image) => s.cpuModels.map((cpu) => bootCase(s, image, cpu)));
  },
});
