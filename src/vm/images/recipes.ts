/**
 * Built-in recipes: guest images (tiny, debian) and lab hosts' own roots (host-root). A recipe is plain data; its
 * hash (with package versions, or for a host root the mirror's InRelease) keys the cache.
 */
import { hostRootPackages } from '../../probe/commands.ts';
import { LIBVIRT_VARIANT } from './libvirt-root.ts';
import { NOVA_VARIANT } from './nova-root.ts';

export interface TinyRecipe {
  kind: 'tiny';
  name: string;
  title: string;
  /** Debian metapackage whose kernel is used (resolved to linux-image-<abi>-<flavour> at build time). */
  kernelMeta: string;
  /** Modules (by name) copied from the same kernel package and loaded by init, with their dependencies. */
  modules: string[];
}

export interface DebianRecipe {
  kind: 'debian';
  name: string;
  title: string;
  suite: string;
  include: string[];
  diskSize: string;
  /**
   * Installed with apt-get in the chroot after debootstrap (debootstrap's own ordering fails on some, e.g. cloud-init's
   * python3 stack).
   */
  extraPackages?: string[];
  /** Configure cloud-init for a NoCloud seed (the package must be in `extraPackages`). */
  cloudInit?: boolean;
}

export type ImageRecipe = TinyRecipe | DebianRecipe;

const TINY_MODULES = ['virtio_pci', 'virtio_blk', 'virtio_console', 'virtio_rng'];

const DEBIAN_BASE = [
  'systemd',
  'systemd-sysv',
  'udev',
  'qemu-guest-agent',
  'linux-image-cloud-amd64',
  'initramfs-tools',
  'kmod',
  'cryptsetup-bin',
  'iproute2',
  // logind (ACPI power button) and `shutdown +0` (qemu-ga's guest-shutdown) need the system bus.
  'dbus',
];

export const RECIPES: readonly ImageRecipe[] = [
  {
    kind: 'tiny',
    name: 'tiny',
    title: 'busybox initramfs, Debian cloud kernel',
    kernelMeta: 'linux-image-cloud-amd64',
    modules: TINY_MODULES,
  },
  {
    kind: 'tiny',
    name: 'tiny-generic',
    title: 'busybox initramfs, Debian generic kernel',
    kernelMeta: 'linux-image-amd64',
    modules: TINY_MODULES,
  },
  {
    kind: 'debian',
    name: 'debian12',
    title: 'Debian 12 (debootstrap, systemd, qemu-guest-agent)',
    suite: 'bookworm',
    include: DEBIAN_BASE,
    diskSize: '1536M',
  },
  {
    kind: 'debian',
    name: 'debian12-cloudinit',
    title: 'Debian 12 with cloud-init (NoCloud)',
    suite: 'bookworm',
    include: DEBIAN_BASE,
    extraPackages: ['cloud-init'],
    diskSize: '2048M',
    cloudInit: true,
  },
];

/** Images `hwqual images build` makes by default (fast); the others build on first use or with --only. */
export const DEFAULT_BUILD = ['tiny', 'tiny-generic'];

/** The names a plan's `images:` axis may use for built-in images. */
export const BUILT_IN_IMAGES: readonly string[] = RECIPES.map((r) => r.name);

export function recipeByName(name: string): ImageRecipe | undefined {
  return RECIPES.find((r) => r.name === name);
}

/**
 * A lab host's own Debian root (`lab up --os node-c=debian-13`): debootstrap only, no kernel and no disk. The lab
 * runs it chrooted on an overlay (src/lab/host-mounts.ts) with its own sshd, QEMU and cryptsetup.
 */
export interface HostRootRecipe {
  kind: 'host-root';
  /** `debian-13`, or `debian-13+libvirt` for a variant. */
  name: string;
  title: string;
  release: HostRelease;
  suite: string;
  include: string[];
  /**
   * A variant's packages, installed after debootstrap with apt-get in the chroot (services kept from starting):
   * debootstrap's own resolver cannot configure what pulls systemd in, as libvirt-daemon-system does.
   */
  extraPackages?: string[];
  /** Files written into the root after the packages (absolute path in the root → content). */
  files?: Record<string, string>;
}

/** Host OS releases a lab host can run: one table, `--os` value → Debian suite. */
export const HOST_RELEASES = { 'debian-12': 'bookworm', 'debian-13': 'trixie' } as const;
export type HostRelease = keyof typeof HOST_RELEASES;

/** A root variant: packages on top of the base root, and files to write (configuration for running chrooted). */
export interface HostRootVariant {
  packages: readonly string[];
  files?: Record<string, string>;
}

/**
 * Root variants, named `<release>+<variant>` (`--os node-c=debian-13+libvirt`): each is its own recipe and its own
 * cache entry, for every release. `libvirt`: libvirtd, its QEMU driver and virsh (libvirt-root.ts). A variant that
 * builds on another names both: `libvirt+nova` is the libvirt root plus Debian's Nova (nova-root.ts).
 */
export const HOST_ROOT_VARIANTS: Readonly<Record<string, HostRootVariant>> = {
  libvirt: LIBVIRT_VARIANT,
  'libvirt+nova': NOVA_VARIANT,
};

/** One recipe per release and per release × variant. Pure. */
export function hostRootRecipesFor(
  releases: Readonly<Record<string, string>>,
  variants: Readonly<Record<string, HostRootVariant>>,
): HostRootRecipe[] {
  const base: HostRootVariant = { packages: [] };
  return Object.entries(releases).flatMap(([release, suite]) =>
    [['', base] as const, ...Object.entries(variants)].map(
      ([variant, v]): HostRootRecipe => ({
        kind: 'host-root',
        name: variant ? `${release}+${variant}` : release,
        title: `Debian ${release.replace('debian-', '')} (${suite}) lab host root${variant ? ` with ${variant}` : ''}`,
        release: release as HostRelease,
        suite,
        include: hostRootPackages(),
        ...(v.packages.length && { extraPackages: [...v.packages].sort() }),
        ...(v.files && { files: { ...v.files } }),
      }),
    ),
  );
}

export const HOST_ROOT_RECIPES: readonly HostRootRecipe[] = hostRootRecipesFor(HOST_RELEASES, HOST_ROOT_VARIANTS);

export function hostRootRecipe(name: string): HostRootRecipe | undefined {
  return HOST_ROOT_RECIPES.find((r) => r.name === name);
}
