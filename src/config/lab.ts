import { homedir, userInfo } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { HostConfig, LabConfig, SshOptions } from './types.ts';
import { ConfigError } from './errors.ts';
import { readConfigFile } from './read.ts';
import { validateAgainst } from './validator.ts';

interface RawHost {
  name: string;
  address: string;
  migrationAddress?: string;
  port?: number;
  user?: string;
  identityFile?: string;
  passphraseEnv?: string;
  knownHosts?: string;
  jump?: string;
  labels?: Record<string, string | number | boolean>;
  ssh?: SshOptions;
  become?: 'sudo';
  becomeUser?: string;
  expect?: HostConfig['expect'];
  root?: string;
}
interface RawLab {
  defaults?: Omit<RawHost, 'name' | 'address' | 'migrationAddress' | 'jump' | 'expect' | 'root'>;
  hosts: RawHost[];
}

export const SSH_DEFAULTS = {
  maxChannels: 8,
  keepaliveIntervalSec: 5,
  keepaliveCountMax: 3,
  connectTimeoutSec: 10,
} as const;

/**
 * The host's `become` (its own, else the defaults'); none for `address: local` (this machine, as hwqual runs) nor
 * without a method (a becomeUser alone changes nothing).
 */
function becomeOf(h: RawHost, d: NonNullable<RawLab['defaults']>): Pick<HostConfig, 'become'> {
  const method = h.become ?? d.become;
  if (!method || h.address === 'local') return {};
  return { become: { method, user: h.becomeUser ?? d.becomeUser ?? 'root' } };
}

export function loadLab(path: string): LabConfig {
  const file = readConfigFile(path);
  validateAgainst('lab', file.label, file.data);
  return normalizeLab(file.data as RawLab, file.path, file.label, file.sha256);
}

/** Defaults applied, paths resolved against the file's folder, cross-host rules checked (names, jump hosts). */
export function normalizeLab(raw: RawLab, path: string, label: string, sha256: string): LabConfig {
  const base = dirname(resolve(path));
  const abs = (p: string | undefined) =>
    p === undefined ? undefined : isAbsolute(p) ? p : resolve(base, p.replace(/^~(?=\/)/, homedir()));
  const d = raw.defaults ?? {};
  const problems: string[] = [];
  const hosts: HostConfig[] = raw.hosts.map((h) => ({
    name: h.name,
    address: h.address,
    migrationAddress: h.migrationAddress ?? h.address,
    port: h.port ?? d.port ?? 22,
    user: h.user ?? d.user ?? localUser(),
    identityFile: abs(h.identityFile ?? d.identityFile),
    passphraseEnv: h.passphraseEnv ?? d.passphraseEnv,
    knownHosts: abs(h.knownHosts ?? d.knownHosts) ?? resolve(homedir(), '.ssh/known_hosts'),
    jump: h.jump,
    labels: Object.fromEntries(Object.entries({ ...d.labels, ...h.labels }).map(([k, v]) => [k, String(v)])),
    expect: h.expect,
    ssh: {
      ...SSH_DEFAULTS,
      agent: Boolean(process.env.SSH_AUTH_SOCK),
      ...d.ssh,
      ...h.ssh,
    },
    ...(h.root ? { root: abs(h.root) } : {}),
    ...becomeOf(h, d),
  }));
  const byName = new Map<string, number>();
  hosts.forEach((h, i) => {
    if (byName.has(h.name))
      problems.push(`${label}: /hosts/${i}/name "${h.name}" is already used by /hosts/${byName.get(h.name)}`);
    else byName.set(h.name, i);
  });
  raw.hosts.forEach((h, i) => {
    if (h.address === 'local' && (h.become || h.becomeUser))
      problems.push(
        `${label}: /hosts/${i}/${h.become ? 'become' : 'becomeUser'} is for SSH hosts; for \`address: local\` run ` +
          'hwqual itself as the user the commands need',
      );
  });
  hosts.forEach((h, i) => {
    if (h.ssh.maxChannels >= 10)
      problems.push(`${label}: /hosts/${i}/ssh/maxChannels must stay below sshd's MaxSessions (10 by default)`);
    if (!h.jump) return;
    if (h.address === 'local') problems.push(`${label}: /hosts/${i}/jump makes no sense for address 'local'`);
    if (!byName.has(h.jump)) {
      problems.push(`${label}: /hosts/${i}/jump "${h.jump}" is not a host of this lab`);
      return;
    }
    const seen = [h.name];
    for (let cur: HostConfig | undefined = h; cur?.jump; cur = hosts[byName.get(cur.jump)!]) {
      if (seen.includes(cur.jump)) {
        problems.push(`${label}: /hosts/${i}/jump forms a cycle: ${[...seen, cur.jump].join(' → ')}`);
        break;
      }
      seen.push(cur.jump);
      if (hosts[byName.get(cur.jump)!]?.address === 'local') {
        problems.push(`${label}: /hosts/${i}/jump "${cur.jump}" is 'local', not an SSH host`);
        break;
      }
    }
  });
  if (problems.length) throw new ConfigError(problems);
  return { file: resolve(path), sha256, hosts };
}

let user: string | undefined;
/** This machine's user name, asked once (a lab may have 10,000 hosts). */
function localUser(): string {
  user ??= userInfo().username;
  return user;
}
