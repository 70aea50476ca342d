import { mkdtemp, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HwqualError, messageOf } from '../../model/errors.ts';
import { unmountUnder } from './build-debian.ts';
import { buildHostRoot } from './build-host-root.ts';
import { cacheKey, imageDir, imagesCacheDir, latestManifest, readManifest, withImageLock } from './cache.ts';
import { fetchInRelease, type InRelease } from './mirror.ts';
import { HOST_ROOT_RECIPES, hostRootRecipe, type HostRootRecipe } from './recipes.ts';

/** A built lab host root in the cache (`images/<name>/<key>/root` + manifest.json). Cached roots are never pruned. */
export interface HostRoot {
  name: string;
  release: string;
  suite: string;
  key: string;
  /** The root directory: the read-only lower layer of every host that runs it. */
  path: string;
  mirror: string;
  inRelease: InRelease;
  packages: Record<string, string>;
  sizeBytes: number;
  builtAt: string;
  buildMs: number;
  /** Set when the mirror did not answer and this is the newest cached root: why, in words. */
  offline?: string;
}

export interface EnsureRootOptions {
  mirror: string;
  log?: (line: string) => void;
}

/**
 * Key: the recipe (its package list) and the suite's InRelease on the mirror, which changes with each point release.
 */
export function hostRootKey(recipe: HostRootRecipe, inRelease: InRelease): string {
  return cacheKey({ recipe, inRelease, format: 1 });
}

/**
 * The root for `name` (`debian-13`): from the cache when the mirror's InRelease matches, built otherwise. When the
 * mirror does not answer (or a new root fails to build): the newest cached root, with `offline` saying so; with none
 * cached, debootstrap tries and its own words explain the failure — and nothing is left (no partial root, no lock,
 * no empty cache folder).
 */
export async function ensureHostRoot(name: string, o: EnsureRootOptions): Promise<HostRoot> {
  const recipe = hostRootRecipe(name);
  if (!recipe)
    throw new HwqualError(
      'E_USAGE',
      `unknown host OS "${name}" (known: ${HOST_ROOT_RECIPES.map((r) => r.name).join(', ')})`,
    );
  let inRelease: InRelease | undefined;
  let unreachable = '';
  try {
    inRelease = await fetchInRelease(o.mirror, recipe.suite);
  } catch (err) {
    unreachable = messageOf(err);
  }
  if (inRelease) {
    const cached = await readManifest<HostRoot>(name, hostRootKey(recipe, inRelease));
    if (cached) return cached;
  } else {
    const newest = await newestCached(name, `mirror ${o.mirror} did not answer (${unreachable})`);
    if (newest) return newest;
  }
  try {
    return await withImageLock(name, async () => {
      const again = inRelease && (await readManifest<HostRoot>(name, hostRootKey(recipe, inRelease)));
      return again || (await build(recipe, o));
    });
  } catch (err) {
    // A mirror that answered its InRelease but failed the build (a flaky link): an older root still serves.
    const older = inRelease && (await newestCached(name, `building a new root failed (${messageOf(err)})`));
    if (older) return older;
    await rmdir(join(imagesCacheDir(), name)).catch(() => {}); // only when empty: other keys stay
    throw err;
  }
}

/** The newest cached root, with `offline` saying why it serves instead of the mirror's current one. */
async function newestCached(name: string, why: string): Promise<HostRoot | undefined> {
  const newest = await latestManifest<HostRoot>(name);
  return (
    newest && {
      ...newest,
      offline:
        `${why}: using the newest cached ${name} root ` +
        `(key ${newest.key}, built ${newest.builtAt} from ${newest.mirror})`,
    }
  );
}

async function build(recipe: HostRootRecipe, o: EnsureRootOptions): Promise<HostRoot> {
  o.log?.(`building host root ${recipe.name} (${recipe.suite} from ${o.mirror})…`);
  const t0 = performance.now();
  const work = await mkdtemp(join(imagesCacheDir(), recipe.name, '.build-'));
  const root = join(work, 'root');
  try {
    let built;
    try {
      built = await buildHostRoot(recipe, root, o.mirror);
    } catch (err) {
      throw new HwqualError(
        'E_COMMAND',
        `cannot build the ${recipe.name} host root from mirror ${o.mirror}: ${messageOf(err)}`,
        { cause: err },
      );
    }
    const key = hostRootKey(recipe, built.inRelease);
    const final = imageDir(recipe.name, key);
    const manifest: HostRoot = {
      name: recipe.name,
      release: recipe.release,
      suite: recipe.suite,
      key,
      path: join(final, 'root'),
      mirror: o.mirror,
      ...built,
      builtAt: new Date().toISOString(),
      buildMs: Math.round(performance.now() - t0),
    };
    await writeFile(join(work, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await rm(final, { recursive: true, force: true });
    await rename(work, final);
    const mib = Math.round(manifest.sizeBytes / 2 ** 20);
    o.log?.(`built host root ${recipe.name} in ${(manifest.buildMs / 1000).toFixed(1)} s (${mib} MiB, key ${key})`);
    return manifest;
  } finally {
    await unmountUnder(root);
    await rm(work, { recursive: true, force: true });
  }
}
