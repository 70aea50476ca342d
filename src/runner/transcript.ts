import type { ExecResult } from '../model/exec.ts';
import { explainExit } from '../model/exec.ts';

const MAX_STREAM = 64 * 1024;

function clip(text: string): string {
  return text.length > MAX_STREAM
    ? `${text.slice(0, MAX_STREAM)}\n… (${text.length - MAX_STREAM} more characters)`
    : text;
}

/**
 * A case's log: every command with its outcome, plus log lines, in order. Plain text for JUnit and humans.
 * Only an entry's first line starts in column 0 (with its `+N.NNNs` stamp): the further lines of a multi-line
 * command or log message are indented, so a host's transcript file (transcript-file.ts) can mark its sections with
 * column-0 header lines that no case text can forge.
 */
export class Transcript {
  private readonly parts: string[] = [];
  private readonly t0 = Date.now();

  private stamp(): string {
    return `+${((Date.now() - this.t0) / 1000).toFixed(3)}s`;
  }

  log(message: string): void {
    this.parts.push(`${this.stamp()} ${continued(message)}`);
  }

  command(r: ExecResult): void {
    const lines = [
      `${this.stamp()} $ ${continued(r.command)}`,
      `  → ${explainExit(r)} in ${r.durationMs.toFixed(0)} ms`,
    ];
    if (r.stdout) lines.push('  stdout:', indent(clip(r.stdout)));
    if (r.stderr) lines.push('  stderr:', indent(clip(r.stderr)));
    this.parts.push(lines.join('\n'));
  }

  text(): string {
    return this.parts.join('\n') + (this.parts.length ? '\n' : '');
  }
}

/** Lines after the first, indented by two spaces. */
function continued(text: string): string {
  return text.includes('\n') ? text.replace(/\n/g, '\n  ') : text;
}

function indent(text: string): string {
  return `    ${text.replace(/\n$/, '').replace(/\n/g, '\n    ')}`;
}
