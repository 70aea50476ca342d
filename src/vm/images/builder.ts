import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HwqualError } from '../../model/errors.ts';
import type { BuiltImage } from './built-image.ts';
import { buildDebian, debianKey } from './build-debian.ts';
import { buildTiny, tinyKey } from './build-tiny.ts';
import { imageDir, imagesCacheDir, pruneOtherKeys, readManifest, withImageLock } from './cache.ts';
import { recipeByName, type ImageRecipe } from './recipes.ts';

export interface EnsureOptions {
  log?: (line: string) => void;
}

const inProcess = new Map<string, Promise<BuiltImage>>();

/** The built image, from the cache when its key (recipe + package versions) matches; built otherwise. */
export function ensureImage(name: string, options: EnsureOptions = {}): Promise<BuiltImage> {
  let p = inProcess.get(name);
  if (!p) {
    p = doEnsure(name, options);
    inProcess.set(name, p);
    p.catch(() => inProcess.delete(name));
  }
  return p;
}

async function doEnsure(name: string, options: EnsureOptions): Promise<BuiltImage> {
  const recipe = recipeByName(name);
  if (!recipe) throw new HwqualError('E_CONFIG', `unknown built-in image '${name}'`);
  const { key } = await keyOf(recipe);
  const cached = await readManifest(name, key);
  if (cached) return cached;
  return withImageLock(name, async () => {
    const again = await readManifest(name, key); // another process built it while we waited
    if (again) return again;
    options.log?.(`building image ${name} (${recipe.title})…`);
    const t0 = performance.now();
    const work = await mkdtemp(join(imagesCacheDir(), name, '.build-'));
    try {
      const stage = join(work, 'out');
      const built =
        recipe.kind === 'tiny' ? await buildTiny(recipe, stage, work) : await buildDebian(recipe, stage, work);
      const final = imageDir(name, key);
      const manifest: BuiltImage = {
        ...built,
        key,
        builtAt: new Date().toISOString(),
        buildMs: Math.round(performance.now() - t0),
        kernel: built.kernel && join(final, 'vmlinuz'),
        initrd: built.initrd && join(final, 'initrd.img'),
        disk: built.disk && { ...built.disk, path: join(final, 'disk.qcow2') },
      };
      await writeFile(join(stage, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      await rm(final, { recursive: true, force: true });
      await rename(stage, final);
      await pruneOtherKeys(name, key);
      options.log?.(`built image ${name} in ${(manifest.buildMs / 1000).toFixed(1)} s`);
      return manifest;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
}

function keyOf(recipe: ImageRecipe): Promise<{ key: string }> {
  return recipe.kind === 'tiny' ? tinyKey(recipe) : debianKey(recipe);
}
