import { HwqualError } from '../../model/errors.ts';
import type { BuiltImage } from './built-image.ts';
import { ensureImage } from './builder.ts';
import { latestManifest } from './cache.ts';
import { DEFAULT_BUILD, RECIPES } from './recipes.ts';

/** `hwqual images build`: the default (fast) images, or the named ones. Idempotent: cached images are reused. */
export async function buildImages(options: {
  only?: string[];
  quiet?: boolean;
  out?: (line: string) => void;
}): Promise<BuiltImage[]> {
  const out = options.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const names = options.only?.length ? options.only : DEFAULT_BUILD;
  for (const n of names) {
    if (!RECIPES.some((r) => r.name === n)) {
      throw new HwqualError(
        'E_USAGE',
        `unknown image '${n}' (built-in images: ${RECIPES.map((r) => r.name).join(', ')})`,
      );
    }
  }
  const built: BuiltImage[] = [];
  for (const name of names) {
    const image = await ensureImage(name, { log: options.quiet ? undefined : out });
    if (!options.quiet) out(`${image.name}: ready (${image.versions.kernelRelease ?? '?'}, key ${image.key})`);
    built.push(image);
  }
  return built;
}

export interface ImageListRow {
  name: string;
  title: string;
  built: boolean;
  key?: string;
  kernel?: string;
  builtAt?: string;
  buildMs?: number;
}

/** `hwqual images list`: every built-in recipe and what the cache holds for it (no package look-ups). */
export async function listImages(): Promise<ImageListRow[]> {
  return Promise.all(
    RECIPES.map(async (r) => {
      const m = await latestManifest(r.name);
      return {
        name: r.name,
        title: r.title,
        built: !!m,
        key: m?.key,
        kernel: m?.versions.kernelRelease,
        builtAt: m?.builtAt,
        buildMs: m?.buildMs,
      };
    }),
  );
}
