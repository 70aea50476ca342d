import type { UserImageEntry } from '../../config/types.ts';
import { HwqualError } from '../../model/errors.ts';
import type { Transport } from '../../transport/types.ts';
import type { Vm } from '../vm.ts';
import { bootImage, type ImageBootOptions, type Ready } from './boot.ts';
import type { BuiltImage } from './built-image.ts';
import { makeCidataDisk } from './cidata.ts';
import { vmWorkRoot } from '../work-dirs.ts';

/** A guest image of the user's, from the plan's `images:` axis (schema in src/config). Paths are on the QEMU host. */
export type UserImageConfig = UserImageEntry;

/** Validate once and turn a user image into the same shape as a built-in one (kind `user`: never staged). */
export function userImage(cfg: UserImageConfig): BuiltImage {
  if (!cfg.disk && !cfg.kernel) throw new HwqualError('E_CONFIG', `image ${cfg.name}: give a disk, a kernel, or both`);
  if ('console' in cfg.ready) {
    try {
      new RegExp(cfg.ready.console);
    } catch (err) {
      throw new HwqualError(
        'E_CONFIG',
        `image ${cfg.name}: ready.console is not a valid regex: ${(err as Error).message}`,
      );
    }
  }
  const format = cfg.disk?.format ?? (cfg.disk?.path.endsWith('.qcow2') ? 'qcow2' : 'raw');
  return {
    name: cfg.name,
    kind: 'user',
    title: cfg.title ?? cfg.name,
    key: 'user',
    kernel: cfg.kernel?.kernel,
    initrd: cfg.kernel?.initrd,
    append: cfg.kernel?.append,
    disk: cfg.disk && { path: cfg.disk.path, format },
    readiness: cfg.ready,
    versions: {},
    builtAt: '',
    buildMs: 0,
  };
}

/** Boot a user image (with its cloud-init seed, if any); the seed is removed at teardown. */
export async function bootUserImage(
  transport: Transport,
  cfg: UserImageConfig,
  o: ImageBootOptions & { readyTimeoutMs?: number },
): Promise<{ vm: Vm } & Ready> {
  const image = userImage(cfg);
  const seed = cfg.cloudInit
    ? await makeCidataDisk(transport, cfg.cloudInit, `${vmWorkRoot(transport.user)}/seeds`, o.signal)
    : undefined;
  try {
    const booted = await bootImage(transport, image, {
      memoryMiB: cfg.memoryMiB,
      ...o,
      extraDisks: [...(o.extraDisks ?? []), ...(seed ? [seed.disk] : [])],
    });
    if (seed) booted.vm.addCleanup(seed.remove);
    return booted;
  } catch (err) {
    await seed?.remove().catch(() => {});
    throw err;
  }
}
