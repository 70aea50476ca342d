import { HwqualError, type PlanView } from '../../src/suite-api/index.ts';
import { recipeByName, userImage, type AccelChoice, type UserImageConfig } from '../../src/suite-api/vm.ts';

/** One entry of the images axis: a built-in recipe by name, or a user image (validated through user-image.ts). */
export type ImageChoice = { name: string; builtIn: string } | { name: string; user: UserImageConfig };

export interface GuestImageSettings {
  accel: AccelChoice;
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

const num = (v: unknown, where: string, dflt?: number): number | undefined => {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(v > 0))
    throw new HwqualError('E_CONFIG', `guest-images: settings.${where} must be a positive number`);
  return v;
};

/**
 * What the plan says to this suite (matrix.images, matrix.cpuModels, settings.accel, settings.guestImages:
 * readyTimeoutSec, shutdownTimeoutSec, caseTimeoutSec, scratchDiskMiB), checked once.
 */
export function guestImageSettings(plan: PlanView): GuestImageSettings {
  const rawImages = plan.matrix.images ?? ['tiny'];
  const images = rawImages.map((entry, i): ImageChoice => {
    if (typeof entry === 'string') {
      if (!recipeByName(entry))
        throw new HwqualError(
          'E_CONFIG',
          `guest-images: matrix.images[${i}]: no built-in image '${entry}' (tiny, tiny-generic, debian12, ` +
            `debian12-cloudinit)`,
        );
      return { name: entry, builtIn: entry };
    }
    const cfg = entry as UserImageConfig;
    if (!cfg || typeof cfg !== 'object' || typeof cfg.name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(cfg.name)) {
      throw new HwqualError(
        'E_CONFIG',
        `guest-images: matrix.images[${i}]: a user image needs a name (letters, digits, . _ -)`,
      );
    }
    if (!cfg.ready)
      throw new HwqualError(
        'E_CONFIG',
        `guest-images: image ${cfg.name}: give ready: {console: regex} or {guestAgent: true}`,
      );
    userImage(cfg); // validates: disk or kernel, ready regex
    return { name: cfg.name, user: cfg };
  });
  const names = images.map((im) => im.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new HwqualError('E_CONFIG', `guest-images: image name '${dup}' is given twice`);
  const cpuModels = (plan.matrix.cpuModels ?? ['max']).map((m, i) => {
    if (typeof m !== 'string' || !m.trim())
      throw new HwqualError(
        'E_CONFIG',
        `guest-images: matrix.cpuModels[${i}] must be a CPU model spec (e.g. max, Skylake-Server,-hle)`,
      );
    return m.trim();
  });
  const own = (plan.settings.guestImages ?? {}) as Record<string, unknown>;
  return {
    accel: (plan.settings.accel as AccelChoice | undefined) ?? 'auto',
    images,
    cpuModels,
    readyTimeoutSec: num(own.readyTimeoutSec, 'guestImages.readyTimeoutSec'),
    shutdownTimeoutSec: num(own.shutdownTimeoutSec, 'guestImages.shutdownTimeoutSec', 60)!,
    caseTimeoutSec: num(own.caseTimeoutSec, 'guestImages.caseTimeoutSec'),
    scratchDiskMiB: num(own.scratchDiskMiB, 'guestImages.scratchDiskMiB', 64)!,
  };
}
