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
  /** Reserved: the host's own OS root (own mount namespace, "next host OS"). Unused for now. */
  root?: string;
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
}
