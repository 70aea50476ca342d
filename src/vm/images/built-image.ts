/** A built image in the cache, as recorded in its manifest.json. Paths are absolute on the controller. */
export interface BuiltImage {
  name: string;
  kind: 'tiny' | 'debian' | 'user';
  title: string;
  key: string;
  kernel?: string;
  initrd?: string;
  /** Default kernel command line (without hwqual.run). */
  append?: string;
  disk?: { path: string; format: 'raw' | 'qcow2' };
  /** How to tell the guest is up. */
  readiness: { console: string } | { guestAgent: true };
  /** Kernel release and package versions, for the report. */
  versions: Record<string, string>;
  builtAt: string;
  buildMs: number;
}
