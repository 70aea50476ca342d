/**
 * How long each phase of a command took, from the process's own start (so start-up — Node, tsx, loading the
 * command's modules — is the first phase). For `hwqual run --timings`.
 */
export class PhaseTimings {
  private readonly phases: Array<{ name: string; ms: number }> = [];
  private last = 0;

  constructor(private readonly now: () => number = () => performance.now()) {
    const t = this.now();
    this.phases.push({ name: 'start-up', ms: t });
    this.last = t;
  }

  /** End the phase that ran since the previous mark, under this name. */
  mark(name: string): void {
    const t = this.now();
    this.phases.push({ name, ms: t - this.last });
    this.last = t;
  }

  list(): Array<{ name: string; ms: number }> {
    return [...this.phases];
  }

  /** `start-up 0.61 s, configs 0.05 s, … (total 2.31 s)` */
  format(): string {
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    return `${this.phases.map((p) => `${p.name} ${s(p.ms)}`).join(', ')} (total ${s(this.last)})`;
  }
}
