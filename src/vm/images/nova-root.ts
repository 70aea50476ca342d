import { LIBVIRT_VARIANT } from './libvirt-root.ts';

/**
 * The `+libvirt+nova` root variant (`--os node-a=debian-12+libvirt+nova`): the `+libvirt` root plus Debian's own
 * Nova — python3-nova 26.2.2 in bookworm, 31.0.0 in trixie — and python3-libvirt, so the openstack-handoff suite
 * can run Nova's code on each lab host against that host's libvirt, as nova-compute would. No Nova service runs:
 * the suite's helper (suites/openstack-handoff/nova_check.py) imports Nova's modules and exits. Nova pulls ~230
 * packages (~800 MiB on top of the libvirt root); it is installed into the lab hosts' roots, never on the controller.
 */
export const NOVA_VARIANT: { packages: readonly string[]; files: Record<string, string> } = {
  packages: [...LIBVIRT_VARIANT.packages, 'python3-libvirt', 'python3-nova'],
  files: { ...LIBVIRT_VARIANT.files },
};
