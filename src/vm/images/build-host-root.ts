import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { debootstrapRoot, dropAptCaches } from './build-debian.ts';
import { inReleaseStamp, type InRelease } from './mirror.ts';
import type { HostRootRecipe } from './recipes.ts';
import { runLocal } from './run-local.ts';

export interface BuiltRoot {
  /** `package → version`, from `dpkg-query -W` in the root. */
  packages: Record<string, string>;
  /** The InRelease debootstrap verified (what the root was built from). */
  inRelease: InRelease;
  sizeBytes: number;
}

/**
 * A lab host's own root at `root`: debootstrap's path of the guest images without their kernel, disk and systemd
 * steps. The lab runs it on an overlay with the lab's sshd config, so the package's own host keys go.
 */
export async function buildHostRoot(recipe: HostRootRecipe, root: string, mirror: string): Promise<BuiltRoot> {
  await debootstrapRoot(root, {
    suite: recipe.suite,
    include: recipe.include,
    extraPackages: recipe.extraPackages,
    mirror,
  });
  const inRelease = inReleaseStamp(await readFile(await listsInRelease(root, recipe.suite), 'utf8'));
  await dropAptCaches(root);
  for (const f of await readdir(join(root, 'etc/ssh'))) {
    if (f.startsWith('ssh_host_')) await rm(join(root, 'etc/ssh', f));
  }
  await writeFile(join(root, 'etc/hwqual-root'), `${recipe.name} (${recipe.suite}), built by hwqual for lab hosts\n`);
  for (const [path, text] of Object.entries(recipe.files ?? {})) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  const listing = await runLocal('chroot', [root, 'dpkg-query', '-W', '-f', '${Package}\\t${Version}\\n']);
  const packages = Object.fromEntries(
    listing
      .split('\n')
      .map((l) => l.split('\t'))
      .filter((p): p is [string, string] => p.length === 2 && p[1] !== ''),
  );
  const sizeBytes = Number((await runLocal('du', ['-sb', root])).split(/\s+/)[0]);
  return { packages, inRelease, sizeBytes };
}

/** debootstrap leaves the suite's InRelease in the root's apt lists (`<mirror>_dists_<suite>_InRelease`). */
async function listsInRelease(root: string, suite: string): Promise<string> {
  const dir = join(root, 'var/lib/apt/lists');
  const name = (await readdir(dir)).find((f) => f.endsWith(`_dists_${suite}_InRelease`));
  if (!name) throw new Error(`debootstrap left no ${suite} InRelease in ${dir}`);
  return join(dir, name);
}
