import type { PlanView, VmDriver } from '../../src/suite-api/index.ts';
import type { AccelChoice, UserImageConfig } from '../../src/suite-api/vm.ts';

/** One entry of the images axis: a built-in recipe by name, or a user image (validated through user-image.ts). */
export type ImageChoice = { name: string; builtIn: string } | { name: string; user: UserImageConfig };

export interface GuestImageSettings {
  accel: AccelChoice;
  /** Who starts the guests: qemu or libvirt (the plan's `driver`). */
  driver: VmDriver;
  images: ImageChoice[];
  cpuModels: string[];
  /** Seconds from QEMU start to the image's ready signal (default: 120 tiny, 300 others). */
  readyTimeoutSec?: number;
  /** Seconds the guest may take from its poweroff to QEMU exiting (default 60). */
  shutdownTimeoutSec: number;
  /** The runner's timeout for one case, seconds (default: ready + shutdown timeouts + 120). */
  caseTimeoutSec?: number;
  /** Size of the scratch disk every guest gets (MiB, default 64): the guest must see it with this size. */
  scratchDiskMiB: number;
}

/** What the plan says to this suite (images, cpuModels, accel, settings.guestImages), validated at the edge. */
export function guestImageSettings(plan: PlanView): GuestImageSettings {
  const images = (plan.matrix.images ?? ['tiny']).map(
    (entry): ImageChoice =>
      typeof entry === 'string' ? { name: entry, builtIn: entry } : { name: entry.name, user: entry },
  );
  const own = plan.settings.guestImages ?? {};
  return {
    accel: plan.accel,
    driver: plan.driver,
    images,
    cpuModels: plan.matrix.cpuModels ?? ['max'],
    readyTimeoutSec: own.readyTimeoutSec,
    shutdownTimeoutSec: own.shutdownTimeoutSec ?? 60,
    caseTimeoutSec: own.caseTimeoutSec,
    scratchDiskMiB: own.scratchDiskMiB ?? 64,
  };
}
