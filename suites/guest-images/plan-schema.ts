import { BUILT_IN_IMAGES, type PlanPart, type PlanProblem } from '../../src/suite-api/plan-part.ts';

/**
 * What the guest-images suite reads of a plan besides the images and cpuModels axes and accel (typed in src/config).
 */
declare module '../../src/suite-api/index.ts' {
  interface PlanSettings {
    guestImages?: {
      /** Seconds from QEMU start to the image's ready signal (default: 120 tiny, 300 others). */
      readyTimeoutSec?: number;
      /** Seconds the guest may take from its poweroff to QEMU exiting (default 60). */
      shutdownTimeoutSec?: number;
      /** The runner's timeout for one case, seconds (default: ready + shutdown timeouts + 120). */
      caseTimeoutSec?: number;
      /** Size of the scratch disk every guest gets (MiB, default 64). */
      scratchDiskMiB?: number;
    };
  }
}

const seconds = { type: 'number', exclusiveMinimum: 0, maximum: 86_400 };

const part: PlanPart = {
  suite: 'guest-images',
  settings: {
    guestImages: {
      description: 'timeouts (s) and the scratch disk size (MiB) of the guest-images suite',
      type: 'object',
      additionalProperties: false,
      properties: {
        readyTimeoutSec: { ...seconds, description: 'seconds from QEMU start to ready (default 120 tiny, 300 others)' },
        shutdownTimeoutSec: { ...seconds, description: 'seconds from the poweroff to QEMU exiting (default 60)' },
        caseTimeoutSec: { ...seconds, description: "the runner's timeout for one case (default: the two + 120)" },
        scratchDiskMiB: {
          description: 'size of the scratch disk every guest gets (MiB, default 64)',
          type: 'integer',
          minimum: 1,
          maximum: 1_048_576,
        },
      },
    },
  },
  /** Every image of the axis is a built-in one or a user image with a valid ready regex; names are unique. */
  check({ plan, at }) {
    const images = plan.matrix.images ?? [];
    const base = at.matrix('images');
    const problems: PlanProblem[] = [];
    const seen = new Map<string, number>();
    images.forEach((entry, i) => {
      const name = typeof entry === 'string' ? entry : entry.name;
      if (typeof entry === 'string' && !BUILT_IN_IMAGES.includes(entry))
        problems.push({
          path: `${base}/${i}`,
          message: `"${entry}" is not a built-in image (${BUILT_IN_IMAGES.join(', ')}); a user image is an object`,
        });
      if (typeof entry !== 'string' && 'console' in entry.ready) {
        try {
          new RegExp(entry.ready.console);
        } catch (err) {
          problems.push({
            path: `${base}/${i}/ready/console`,
            message: `is not a valid regex: ${(err as Error).message}`,
          });
        }
      }
      if (seen.has(name))
        problems.push({ path: `${base}/${i}`, message: `image name "${name}" is also ${base}/${seen.get(name)}'s` });
      seen.set(name, i);
    });
    return problems;
  },
};

export default part;
