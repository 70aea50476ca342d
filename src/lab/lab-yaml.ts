import { relative, dirname } from 'node:path';
import { stringify } from 'yaml';
import type { LabState } from './types.ts';

/** The lab.yaml `up` writes, in the lab-config format (src/config/schemas/lab.schema.json). Pure. */

export const LAB_POOL = 'local-lab';
/** An own-root host runs its own userland on this machine's kernel and KVM module: the report says so by this label. */
export const OWN_ROOT_KERNEL = "the lab machine's (own root: userland only)";

/** `<ID>-<VERSION_ID>` from /etc/os-release text, e.g. debian-12 (just ID when there is no VERSION_ID). */
export function osLabel(osRelease: string): string {
  const field = (name: string) => {
    const m = osRelease.match(new RegExp(`^${name}=(.*)$`, 'm'));
    return m ? m[1]!.trim().replace(/^(["'])(.*)\1$/, '$2') : undefined;
  };
  const id = field('ID') ?? 'linux';
  const version = field('VERSION_ID');
  return version ? `${id}-${version}` : id;
}

export function labYamlText(state: LabState, os: string): string {
  const rel = (p: string) => relative(dirname(state.labYaml), p) || p;
  const doc = {
    defaults: {
      user: state.user,
      identityFile: rel(state.identityFile),
      knownHosts: rel(state.knownHosts),
      labels: { os, pool: LAB_POOL },
    },
    hosts: state.hosts.map((h) => ({
      name: h.name,
      address: h.address,
      migrationAddress: h.address,
      port: h.port,
      ...(h.root
        ? {
            labels: {
              os: h.root.release.split('+')[0]!,
              kernel: OWN_ROOT_KERNEL,
              ...(h.libvirt?.version && { libvirt: h.libvirt.version }),
            },
            root: h.root.lower,
          }
        : {}),
    })),
  };
  const how =
    state.mode === 'netns'
      ? `network namespaces on ${state.subnet} (bridge ${state.bridge})`
      : `loopback sshds (${state.fallbackReason ?? 'loopback mode'})`;
  return (
    `# Written by \`hwqual lab up\` for ${state.dir}: ${how}.\n` +
    `# \`hwqual lab down --dir ${state.dir}\` removes it.\n${stringify(doc)}`
  );
}
