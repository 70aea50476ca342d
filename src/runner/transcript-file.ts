import { writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { safeName } from './context.ts';
import type { PlannedCase } from './plan-types.ts';

/** Host files written in the background at once, at most. */
const MAX_PENDING = 16;

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
 * every case of its host has ended, then the host's file is written: in the background (libuv's thread pool) while
 * fewer than MAX_PENDING writes wait, synchronously otherwise. (All synchronous, 10,000 files cost the run's thread
 * 1.2 s; all in the background on a loaded machine, a thousand writes queued with their texts held — 90 MiB more
 * peak memory at 10,000 hosts.) `close()` waits for the writes. Call `open()` first.
 * CaseResult.transcript names the host's file; the case's id names its section.
 */
export class HostTranscripts {
  private readonly hosts = new Map<string, HostFile>();
  private readonly writes = new Set<Promise<void>>();
  private failure?: unknown;

  constructor(
    private readonly outDir: string,
    cases: Iterable<Pick<PlannedCase, 'host'>>,
  ) {
    const taken = new Set<string>();
    for (const c of cases) {
      let h = this.hosts.get(c.host.name);
      if (!h) {
        h = { file: uniqueFile(c.host.name, taken), left: 0, sections: [] };
        this.hosts.set(c.host.name, h);
      }
      h.left++;
    }
  }

  /** Make the transcripts folder (before the first case runs: its existence says the run's cases have begun). */
  async open(): Promise<void> {
    await mkdir(join(this.outDir, TRANSCRIPTS_DIR), { recursive: true });
  }

  /**
   * Keep a finished case's text; returns the path (relative to the run folder) the case's result names. `index`
   * (the case's place in the plan) orders the host's sections; without it they keep the order they came in.
   */
  add(planned: Pick<PlannedCase, 'id' | 'host'>, text: string, index?: number): string | undefined {
    const h = this.hosts.get(planned.host.name);
    if (!h) return undefined;
    h.sections.push({ index: index ?? h.sections.length, id: planned.id, text });
    return `${TRANSCRIPTS_DIR}/${h.file}`;
  }

  /** A case of this host has ended (run or not): once all have, the host's file is written. */
  caseEnded(planned: Pick<PlannedCase, 'host'>): void {
    const h = this.hosts.get(planned.host.name);
    if (h && --h.left === 0) this.write(h);
  }

  /** Write the hosts not written yet (an interrupted run), and wait for every write; rejects with the first failure. */
  async close(): Promise<void> {
    for (const h of this.hosts.values()) if (h.left > 0) this.write(h);
    await Promise.all(this.writes);
    if (this.failure) throw this.failure;
  }

  private write(h: HostFile): void {
    h.left = 0;
    if (!h.sections.length) return;
    const sections = h.sections
      .sort((a, b) => a.index - b.index)
      .map(({ id, text }) => `${sectionHeader(id)}\n${text}${text && !text.endsWith('\n') ? '\n' : ''}`);
    h.sections = [];
    const file = join(this.outDir, TRANSCRIPTS_DIR, h.file);
    const text = sections.join('\n');
    if (this.writes.size >= MAX_PENDING) {
      try {
        writeFileSync(file, text);
      } catch (err) {
        this.failure ??= err; // reported by close(); the run goes on
      }
      return;
    }
    const done: Promise<void> = writeFile(file, text).then(
      () => {
        this.writes.delete(done);
      },
      (err) => {
        this.writes.delete(done);
        this.failure ??= err;
      },
    );
    this.writes.add(done);
  }
}

/** A host's transcript file: its name, how many of its cases have not ended, the sections of those that have. */
interface HostFile {
  file: string;
  left: number;
  sections: Array<{ index: number; id: string; text: string }>;
}

function uniqueFile(host: string, taken: Set<string>): string {
  const base = safeName(host);
  let name = `${base}.txt`;
  for (let i = 2; taken.has(name); i++) name = `${base}~${i}.txt`;
  taken.add(name);
  return name;
}
