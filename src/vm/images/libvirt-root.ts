/**
 * The `+libvirt` root variant (`--os node-a=debian-12+libvirt`, or `lab up --libvirt`): libvirt's daemon, its QEMU
 * driver and virsh from the release's own archive — libvirt 9.0 in bookworm, 11.3 in trixie — so the host-OS axis
 * covers libvirt's version as well as QEMU's.
 *
 * libvirt-daemon-system brings libvirtd.conf, qemu.conf, virtlogd.conf and the `libvirt-qemu` user: without that user
 * libvirtd 9.0 dies ("Failed to parse user 'libvirt-qemu'") before it reads `user = "root"` below.
 *
 * qemu.conf: a lab host is a chroot in its own mount namespace with no cgroup tree and no security module of its own,
 * and domains start there only with these six keys; without them libvirt says "Failed disable mount propagation
 * out of the root filesystem" (see docs/choosing-the-driver.md). libvirtd.conf depends on the host's lab address and
 * is written by the lab at host start (src/lab/libvirtd.ts).
 */
export const LIBVIRT_PACKAGES: readonly string[] = [
  'libvirt-daemon-system',
  'libvirt-clients',
  'libvirt-daemon-driver-qemu',
];

export const LIBVIRT_QEMU_CONF = [
  '# Written by hwqual for a chrooted lab host (src/vm/images/libvirt-root.ts).',
  '# No per-domain mount namespace: the host is already a chroot in a private mount namespace.',
  'namespaces = [ ]',
  '# No cgroup controllers: the lab host has no cgroup tree of its own.',
  'cgroup_controllers = [ ]',
  '# No AppArmor/SELinux labelling inside the chroot.',
  'security_driver = "none"',
  'user = "root"',
  'group = "root"',
  'remember_owner = 0',
  '',
].join('\n');

/** `HostRootVariant` of recipes.ts (which imports this file). */
export const LIBVIRT_VARIANT: { packages: readonly string[]; files: Record<string, string> } = {
  packages: LIBVIRT_PACKAGES,
  files: { '/etc/libvirt/qemu.conf': LIBVIRT_QEMU_CONF },
};
