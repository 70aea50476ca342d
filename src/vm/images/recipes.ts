/** Built-in guest image recipes. A recipe is plain data; its hash (with package versions) keys the cache. */
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

export function recipeByName(name: string): ImageRecipe | undefined {
  return RECIPES.find((r) => r.name === name);
}
