import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { safeName } from './context.ts';
import type { PlannedCase } from './plan-types.ts';

/** Where a run's transcripts live, relative to the run folder: one text file per host. */
export const TRANSCRIPTS_DIR = 'transcripts';

/**
 * The header line that opens a case's section in a host's transcript file. Case text never starts a line in column
 * 0 with `=== case ` (transcript.ts indents continuation lines), so the reader (src/report/transcripts.ts) can split
 * a file on these lines alone.
 */
export function sectionHeader(caseId: string): string {
  return `=== case ${/[\r\n]/.test(caseId) ? caseId.replace(/[\r\n]/g, ' ') : caseId} ===`;
}

/**
 * The run's transcripts, one file per host (`transcripts/<host>.txt`, a section per case in plan order), instead of
 * one file per case: thousands of cases cost thousands of files otherwise. A case's text is kept in memory until
 * every case of its host has ended, then the host's file is written (in the background; `close()` waits for it). Call
 * `open()` first. CaseResult.transcript names the host's file; the case's id names its section.
 */
export class HostTranscripts {
  private readonly hosts = new Map<string, { file: string; ids: string[]; left: number; texts: Map<string, string> }>();
  private readonly writes: Array<Promise<void>> = [];

  constructor(
    private readonly outDir: string,
    cases: readonly PlannedCase[],
  ) {
    const taken = new Set<string>();
    for (const c of cases) {
      let h = this.hosts.get(c.host.name);
      if (!h) {
        h = { file: uniqueFile(c.host.name, taken), ids: [], left: 0, texts: new Map() };
        this.hosts.set(c.host.name, h);
      }
      h.ids.push(c.id);
      h.left++;
    }
  }

  /** Make the transcripts folder (before the first case runs: its existence says the run's cases have begun). */
  async open(): Promise<void> {
    await mkdir(join(this.outDir, TRANSCRIPTS_DIR), { recursive: true });
  }

  /** Keep a finished case's text; returns the path (relative to the run folder) the case's result names. */
  add(planned: PlannedCase, text: string): string | undefined {
    const h = this.hosts.get(planned.host.name);
    if (!h) return undefined;
    h.texts.set(planned.id, text);
    return `${TRANSCRIPTS_DIR}/${h.file}`;
  }

  /** A case of this host has ended (run or not): once all have, the host's file is written. */
  caseEnded(planned: PlannedCase): void {
    const h = this.hosts.get(planned.host.name);
    if (h && --h.left === 0) this.write(h);
  }

  /** Write the hosts not written yet (an interrupted run), and wait for every write; rejects with the first failure. */
  async close(): Promise<void> {
    for (const h of this.hosts.values()) if (h.left > 0) this.write(h);
    await Promise.all(this.writes);
  }

  private write(h: { file: string; ids: string[]; left: number; texts: Map<string, string> }): void {
    h.left = 0;
    if (!h.texts.size) return;
    const sections: string[] = [];
    for (const id of h.ids) {
      const text = h.texts.get(id);
      if (text !== undefined) sections.push(`${sectionHeader(id)}\n${text}${text && !text.endsWith('\n') ? '\n' : ''}`);
    }
    h.texts = new Map();
    const done = writeFile(join(this.outDir, TRANSCRIPTS_DIR, h.file), sections.join('\n'));
    done.catch(() => {}); // awaited in close()
    this.writes.push(done);
  }
}

function uniqueFile(host: string, taken: Set<string>): string {
  const base = safeName(host);
  let name = `${base}.txt`;
  for (let i = 2; taken.has(name); i++) name = `${base}~${i}.txt`;
  taken.add(name);
  return name;
}
