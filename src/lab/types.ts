/** Plain, JSON-serialisable records of a lab-in-a-box: what `lab up` made, so `lab down` can undo exactly that. */

export type LabMode = 'netns' | 'loopback';

/** A process `up` started. A pid alone is not enough (pids are reused): startTime is /proc/<pid>/stat field 22. */
export interface RecordedProcess {
  pid: number;
  startTime: string;
}

export interface LabHost {
  name: string;
  address: string;
  port: number;
  /** netns mode: the host's network namespace, its veth on the bridge (root namespace) and the peer's first name. */
  netns?: string;
  vethHost?: string;
  vethPeer?: string;
  sshdConfig: string;
  hostKey: string;
  logFile: string;
  sshd?: RecordedProcess;
  /** The host's own OS root (`lab up --os`); absent: the machine's root. */
  root?: HostRootState;
  /** Own roots with the `+libvirt` variant: the host's virtlogd and libvirtd, started by the lab. */
  libvirt?: LabLibvirt;
}

/** A lab host's libvirt daemons (pids with start times), their config and log, and what `virsh version` said. */
export interface LabLibvirt {
  libvirtd?: RecordedProcess;
  virtlogd?: RecordedProcess;
  /** libvirtd.conf and the daemons' log, in the host's lab folder. */
  conf: string;
  log: string;
  /** `9.0.0`, and the hypervisor libvirt runs (`QEMU 7.2.22`). */
  version?: string;
  hypervisor?: string;
}

/**
 * A host running its own Debian root: an overlay of the cached root (`lower`, read-only, shared by every host that
 * runs it) and the host's own `upper` (`<lab>/hosts/<name>/upper`), mounted only inside the host's mount namespace.
 */
export interface HostRootState {
  /** `debian-13` (a recipe of src/vm/images/recipes.ts). */
  release: string;
  /** Cache key of the root. */
  key: string;
  lower: string;
  upper: string;
  /**
   * At `up`/`reimage` the mirror did not answer (or a newer root failed to build): the newest cached root runs, why.
   */
  offline?: string;
}

/** Whether own-root hosts get a /dev/kvm node (src/vm/accel.ts probe, or `--no-kvm`), and why. */
export interface LabKvm {
  node: boolean;
  reason: string;
}

export interface LabState {
  version: 1;
  /** Absolute lab folder; every name below derives from it. */
  dir: string;
  id: string;
  mode: LabMode;
  /** Why the lab runs on loopback (forced by --loopback, or what made `ip netns add` fail). */
  fallbackReason?: string;
  /** netns mode: the /24, the bridge in the root namespace and its address in the /24. */
  subnet?: string;
  bridge?: string;
  bridgeAddress?: string;
  hosts: LabHost[];
  /** Login user of every host: root, or (loopback as non-root) whoever ran `up`. */
  user: string;
  identityFile: string;
  knownHosts: string;
  labYaml: string;
  /** Own-root hosts: the Debian mirror their roots come from, and their /dev/kvm decision. */
  mirror?: string;
  kvm?: LabKvm;
  /** 'starting' until every sshd answered; a crash leaves it so and `down` still cleans up. */
  phase: 'starting' | 'running';
  createdAt: string;
}

export interface ShapeOptions {
  /** tc rate, e.g. 200mbit. */
  rate?: string;
  /** netem delay, e.g. 1ms (needs the netem qdisc in the kernel). */
  delay?: string;
  clear?: boolean;
}

export interface LabHostStatus {
  name: string;
  address: string;
  port: number;
  sshd: 'running' | 'dead' | 'not started';
  netns?: 'present' | 'missing';
  link?: 'up' | 'down' | 'missing';
  /** Root qdiscs on the host-side veth, as `tc qdisc show` prints them. */
  qdisc?: string;
  /** `machine` (the machine's root) or the own root's release, e.g. `debian-13`. */
  os: string;
  /** Own-root hosts: cache key, whether /dev/kvm is there, and why an older cached root runs (mirror offline). */
  root?: { key: string; kvm: boolean; offline?: string };
  /** `+libvirt` hosts: whether the host's libvirtd runs, and its version. */
  libvirt?: { libvirtd: 'running' | 'dead' | 'not started'; version?: string; hypervisor?: string };
}

export interface LabStatus {
  dir: string;
  mode: LabMode;
  fallbackReason?: string;
  subnet?: string;
  bridge?: string;
  phase: LabState['phase'];
  healthy: boolean;
  hosts: LabHostStatus[];
  labYaml: string;
  /** Own-root hosts' /dev/kvm decision. */
  kvm?: LabKvm;
}
