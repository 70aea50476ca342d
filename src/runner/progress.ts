import type { CaseResult, RunSummary } from '../model/result.ts';
import type { PlannedCase } from './plan-types.ts';

/** Progress hooks (vitest reporter style): all optional; a reporter's failure never stops the run. */
export interface ProgressReporter {
  onRunStart?(cases: Iterable<PlannedCase>): void;
  onCaseStart?(c: PlannedCase): void;
  onCaseEnd?(r: CaseResult): void;
  onRunEnd?(summary: RunSummary): void;
}

export function summaryLine(s: RunSummary): string {
  const extra = (['flaky', 'cancelled', 'waived'] as const)
    .filter((k) => s[k] > 0)
    .map((k) => `, ${s[k]} ${k}`)
    .join('');
  return `${s.passed} passed, ${s.failed} failed, ${s.error} errors, ${s.skipped} skipped${extra}`;
}

/** Without a TTY or with CI=true: one plain line per finished case. */
export class PlainProgress implements ProgressReporter {
  constructor(private readonly write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)) {}
  onCaseEnd(r: CaseResult): void {
    const why = r.status === 'passed' ? '' : ` — ${(r.message ?? '').split('\n')[0].slice(0, 200)}`;
    this.write(`${r.status.toUpperCase().padEnd(9)} ${r.id} (${(r.durationMs / 1000).toFixed(1)}s)${why}`);
  }
  onRunEnd(s: RunSummary): void {
    this.write(summaryLine(s));
  }
}

/** On a TTY: one live line per host (done/total, the case running, elapsed), redrawn in place. */
export class TtyProgress implements ProgressReporter {
  private readonly hosts = new Map<string, { total: number; done: number; failed: number; running: Set<string> }>();
  private readonly t0 = Date.now();
  private drawn = 0;
  private timer?: NodeJS.Timeout;
  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  onRunStart(cases: Iterable<PlannedCase>): void {
    for (const c of cases) {
      const h = this.hosts.get(c.host.name) ?? { total: 0, done: 0, failed: 0, running: new Set<string>() };
      h.total++;
      this.hosts.set(c.host.name, h);
    }
    this.timer = setInterval(() => this.draw(), 250);
    this.timer.unref();
  }
  onCaseStart(c: PlannedCase): void {
    this.hosts.get(c.host.name)?.running.add(c.id.split('@')[0]);
  }
  onCaseEnd(r: CaseResult): void {
    const h = this.hosts.get(r.host);
    if (!h) return;
    h.running.delete(r.id.split('@')[0]);
    h.done++;
    if (r.status === 'failed' || r.status === 'error') h.failed++;
    this.draw();
  }
  onRunEnd(s: RunSummary): void {
    if (this.timer) clearInterval(this.timer);
    this.draw();
    this.out.write(`${summaryLine(s)}\n`);
  }
  private draw(): void {
    const width = this.out.columns || 120;
    const elapsed = ((Date.now() - this.t0) / 1000).toFixed(0);
    const lines = [...this.hosts].map(([name, h]) => {
      const running = [...h.running][0] ?? (h.done === h.total ? 'done' : 'waiting');
      const failed = h.failed ? `✗${h.failed} ` : '';
      return `${name.padEnd(12)} ${String(h.done).padStart(4)}/${h.total} ${failed}${elapsed}s  ${running}`.slice(
        0,
        width - 1,
      );
    });
    if (this.drawn) this.out.write(`\x1b[${this.drawn}A`);
    for (const l of lines) this.out.write(`\x1b[2K${l}\n`);
    this.drawn = lines.length;
  }
}

export function defaultProgress(): ProgressReporter {
  return process.stdout.isTTY && !process.env.CI ? new TtyProgress() : new PlainProgress();
}
