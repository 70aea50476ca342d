import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { candidateVersions, downloadDeb, resolveMeta } from './apt.ts';
import type { BuiltImage } from './built-image.ts';
import { cacheKey, projectRoot } from './cache.ts';
import { moduleLoadOrder } from './modules.ts';
import type { TinyRecipe } from './recipes.ts';
import { runLocal, runShell } from './run-local.ts';

export const TINY_READY = 'HWQUAL-READY';
export const TINY_APPEND = 'console=ttyS0 quiet panic=-1';

export function tinyInitPath(): string {
  return join(projectRoot(), 'fixtures/images/tiny/init');
}

/** The live-migration guest workload, compiled static into the image (`hwqual.run=workload`). */
export function workloadSourcePath(): string {
  return join(projectRoot(), 'fixtures/workload/hwqual-workload.c');
}

/** What decides the tiny image's content: the recipe, the init script, the kernel and busybox versions. */
export async function tinyKey(
  recipe: TinyRecipe,
): Promise<{ key: string; kernelPkg: string; versions: Record<string, string> }> {
  const kernelPkg = await resolveMeta(recipe.kernelMeta);
  const versions = await candidateVersions([kernelPkg, 'busybox-static']);
  const init = await readFile(tinyInitPath(), 'utf8');
  const workload = await readFile(workloadSourcePath(), 'utf8');
  return { key: cacheKey({ recipe, init, workload, versions, format: 1 }), kernelPkg, versions };
}

/** Kernel from the Debian package + a busybox-static initramfs with the kernel's own virtio modules. */
export async function buildTiny(
  recipe: TinyRecipe,
  outDir: string,
  work: string,
): Promise<Omit<BuiltImage, 'key' | 'builtAt' | 'buildMs'>> {
  const { kernelPkg, versions } = await tinyKey(recipe);
  const kernelRoot = join(work, 'kernel');
  const bbRoot = join(work, 'busybox');
  const initramfs = join(work, 'initramfs');
  await runLocal('dpkg', ['-x', await downloadDeb(kernelPkg, work), kernelRoot]);
  await runLocal('dpkg', ['-x', await downloadDeb('busybox-static', work), bbRoot]);

  const release = (await readdir(join(kernelRoot, 'lib/modules')))[0];
  const modDir = join(kernelRoot, 'lib/modules', release);
  await runLocal('depmod', ['-b', kernelRoot, release]); // modules.dep is made at install time, not shipped
  const order = moduleLoadOrder(
    recipe.modules,
    await readFile(join(modDir, 'modules.dep'), 'utf8'),
    await readFile(join(modDir, 'modules.builtin'), 'utf8').catch(() => ''),
  );

  for (const d of ['bin', 'etc/hwqual', 'lib/modules', 'proc', 'sys', 'dev', 'tmp'])
    await mkdir(join(initramfs, d), { recursive: true });
  await copyFile(join(bbRoot, 'bin/busybox'), join(initramfs, 'bin/busybox'));
  await copyFile(tinyInitPath(), join(initramfs, 'init'));
  await runLocal('gcc', ['-static', '-O2', '-o', join(initramfs, 'bin/hwqual-workload'), workloadSourcePath()]);
  await runLocal('chmod', ['755', join(initramfs, 'init'), join(initramfs, 'bin/busybox')]);
  const loadList: string[] = [];
  for (const rel of order) {
    const plain = rel.replace(/\.(xz|zst|gz)$/, '');
    const dest = join(initramfs, 'lib/modules', plain);
    await mkdir(dirname(dest), { recursive: true });
    if (plain === rel) await copyFile(join(modDir, rel), dest);
    else await runShell(`${decompressor(rel)} < '${join(modDir, rel)}' > '${dest}'`);
    loadList.push(plain);
  }
  await writeFile(join(initramfs, 'etc/hwqual/modules'), `${loadList.join('\n')}\n`);
  await writeFile(join(initramfs, 'etc/hwqual/image'), `${recipe.name}\n`);

  await mkdir(outDir, { recursive: true });
  await copyFile(join(kernelRoot, 'boot', `vmlinuz-${release}`), join(outDir, 'vmlinuz'));
  await runShell(`find . | sort | cpio -o -H newc --quiet | gzip -1 > '${join(outDir, 'initrd.img')}'`, {
    cwd: initramfs,
  });
  return {
    name: recipe.name,
    kind: 'tiny',
    title: recipe.title,
    kernel: join(outDir, 'vmlinuz'),
    initrd: join(outDir, 'initrd.img'),
    append: TINY_APPEND,
    readiness: { console: TINY_READY },
    versions: { ...versions, kernelRelease: release },
  };
}

function decompressor(path: string): string {
  if (path.endsWith('.xz')) return 'xz -dc';
  if (path.endsWith('.zst')) return 'zstd -dc';
  return 'gzip -dc';
}
