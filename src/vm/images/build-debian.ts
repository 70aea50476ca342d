import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { candidateVersions, resolveMeta } from './apt.ts';
import type { BuiltImage } from './built-image.ts';
import { cacheKey, imagesCacheDir } from './cache.ts';
import type { DebianRecipe } from './recipes.ts';
import { runLocal, runShell } from './run-local.ts';

export const DEBIAN_APPEND = 'root=/dev/vda rw console=ttyS0 quiet panic=-1';

export async function debianKey(recipe: DebianRecipe): Promise<{ key: string; versions: Record<string, string> }> {
  const kernelPkg = await resolveMeta('linux-image-cloud-amd64');
  const versions = await candidateVersions(['debootstrap', kernelPkg]);
  return { key: cacheKey({ recipe, versions, format: 2 }), versions }; // bump format when buildRoot changes
}

/**
 * debootstrap a minimal systemd Debian with qemu-guest-agent, then `mkfs.ext4 -d` (no mounting) and a qcow2 of it.
 * Booted with its own kernel and initrd (`root=/dev/vda`); VMs write to a qcow2 overlay, never to this disk.
 */
export async function buildDebian(
  recipe: DebianRecipe,
  outDir: string,
  work: string,
): Promise<Omit<BuiltImage, 'key' | 'builtAt' | 'buildMs'>> {
  const { versions } = await debianKey(recipe);
  const root = join(work, 'root');
  try {
    return await buildRoot(recipe, outDir, work, root, versions);
  } finally {
    await unmountUnder(root); // a debootstrap killed half-way leaves /proc and /sys mounted in the root
  }
}

async function buildRoot(
  recipe: DebianRecipe,
  outDir: string,
  work: string,
  root: string,
  versions: Record<string, string>,
): Promise<Omit<BuiltImage, 'key' | 'builtAt' | 'buildMs'>> {
  await debootstrapRoot(root, recipe);
  await writeFile(join(root, 'etc/hostname'), `hwqual-${recipe.name}\n`);
  await writeFile(join(root, 'etc/fstab'), '/dev/vda / ext4 defaults 0 1\n');
  await runLocal('chroot', [root, 'passwd', '-d', 'root']);
  const getty = join(root, 'etc/systemd/system/serial-getty@ttyS0.service.d');
  await mkdir(getty, { recursive: true });
  await writeFile(
    join(getty, 'autologin.conf'),
    '[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root --keep-baud 115200,57600,38400,9600 %I $TERM\n',
  );
  // A console marker once the system is up, for readiness by console regex too.
  await writeFile(
    join(root, 'etc/systemd/system/hwqual-ready.service'),
    '[Unit]\nDescription=hwqual ready marker\nAfter=qemu-guest-agent.service systemd-user-sessions.service\n\n' +
      "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'echo HWQUAL-READY image=" +
      recipe.name +
      " > /dev/ttyS0'\n\n[Install]\nWantedBy=multi-user.target\n",
  );
  await runLocal('chroot', [root, 'systemctl', 'enable', 'hwqual-ready.service']);
  if (recipe.cloudInit) {
    await writeFile(join(root, 'etc/cloud/cloud.cfg.d/90-hwqual.cfg'), 'datasource_list: [ NoCloud, None ]\n');
    // No network in hwqual guests: do not wait for one.
    await runShell(`chroot '${root}' systemctl mask systemd-networkd-wait-online.service >/dev/null 2>&1 || true`);
  }
  await dropAptCaches(root);

  await mkdir(outDir, { recursive: true });
  const boot = await readdir(join(root, 'boot'));
  const vmlinuz = boot.find((f) => f.startsWith('vmlinuz-'));
  const initrd = boot.find((f) => f.startsWith('initrd.img-'));
  if (!vmlinuz || !initrd)
    throw new Error(`debootstrap root has no kernel/initrd in /boot (found: ${boot.join(', ')})`);
  await runLocal('cp', [join(root, 'boot', vmlinuz), join(outDir, 'vmlinuz')]);
  await runLocal('cp', [join(root, 'boot', initrd), join(outDir, 'initrd.img')]);
  const raw = join(work, 'disk.raw');
  await runLocal('mkfs.ext4', ['-q', '-F', '-L', 'root', '-d', root, raw, recipe.diskSize]);
  await runLocal('qemu-img', ['convert', '-O', 'qcow2', raw, join(outDir, 'disk.qcow2')]);
  return {
    name: recipe.name,
    kind: 'debian',
    title: recipe.title,
    kernel: join(outDir, 'vmlinuz'),
    initrd: join(outDir, 'initrd.img'),
    append: DEBIAN_APPEND,
    disk: { path: join(outDir, 'disk.qcow2'), format: 'qcow2' },
    readiness: { guestAgent: true },
    versions: { ...versions, kernelRelease: vmlinuz.replace('vmlinuz-', '') },
  };
}

/**
 * `debootstrap --variant=minbase` of `suite` into `root` (from `mirror`, else debootstrap's default), then the extra
 * packages with apt-get in the chroot. The .debs stay in the image cache for the next build of any Debian root.
 * Used by the guest images here and by lab hosts' own roots (build-host-root.ts).
 */
export async function debootstrapRoot(
  root: string,
  o: { suite: string; include: readonly string[]; extraPackages?: readonly string[]; mirror?: string },
): Promise<void> {
  const debs = join(imagesCacheDir(), '.debootstrap-debs');
  await mkdir(debs, { recursive: true });
  await runLocal(
    'debootstrap',
    [
      '--variant=minbase',
      `--cache-dir=${debs}`,
      `--include=${o.include.join(',')}`,
      o.suite,
      root,
      ...(o.mirror ? [o.mirror] : []),
    ],
    { timeoutMs: 30 * 60_000 },
  );
  if (o.extraPackages?.length) await aptInstallInChroot(root, [...o.extraPackages]);
}

/** The downloaded .debs and package lists: not part of a built root. */
export async function dropAptCaches(root: string): Promise<void> {
  await runShell(`rm -rf '${root}'/var/cache/apt/archives/*.deb '${root}'/var/lib/apt/lists/*`);
}

/** Unmount whatever a killed build left mounted below `root` (deepest first). */
export async function unmountUnder(root: string): Promise<void> {
  const mounts = (await readFile('/proc/mounts', 'utf8').catch(() => ''))
    .split('\n')
    .map((l) => l.split(' ')[1])
    .filter((m) => m?.startsWith(`${root}/`));
  for (const m of mounts.sort((a, b) => b.length - a.length)) await runLocal('umount', ['-l', m]).catch(() => {});
}

/** apt-get install in the root, with /proc mounted and services kept from starting (policy-rc.d). */
async function aptInstallInChroot(root: string, pkgs: string[]): Promise<void> {
  const policy = join(root, 'usr/sbin/policy-rc.d');
  await writeFile(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  await runLocal('mount', ['-t', 'proc', 'proc', join(root, 'proc')]);
  try {
    await runLocal('chroot', [root, 'apt-get', 'install', '-y', '-q', '--no-install-recommends', ...pkgs], {
      timeoutMs: 30 * 60_000,
    });
  } finally {
    await runLocal('umount', ['-l', join(root, 'proc')]).catch(() => {});
    await runLocal('rm', ['-f', policy]);
  }
}
