import type { CaseResult } from '../model/result.ts';

/**
 * Reads a case's transcript from the run folder. A run writes one file per host (`transcripts/<host>.txt`) with a
 * section per case, each opened by a column-0 line `=== case <case id> ===` (src/runner/transcript-file.ts; case
 * text never starts a line that way). A file without such lines (runs before per-host files: one
 * `cases/<id>/transcript.txt` per case) is the case's whole transcript. The last few files read are kept split
 * (cases come grouped by host); a run of 10,000 hosts does not keep every host's file.
 */
const KEPT_FILES = 8;

export function transcriptReader(
  readText: (relPath: string) => string | undefined,
): (c: Pick<CaseResult, 'id' | 'transcript'>) => string | undefined {
  const files = new Map<string, Map<string, string> | string | undefined>();
  return (c) => {
    if (!c.transcript) return undefined;
    let file = files.get(c.transcript);
    if (!files.has(c.transcript)) {
      const text = readText(c.transcript);
      file = text === undefined ? undefined : (splitSections(text) ?? text);
      if (files.size >= KEPT_FILES) files.delete(files.keys().next().value!);
      files.set(c.transcript, file);
    }
    return typeof file === 'string' || file === undefined ? file : file.get(c.id);
  };
}

const HEADER = /^=== case (.*) ===$/gm;

/** A host transcript file's sections by case id; undefined when the text has no section header. */
export function splitSections(text: string): Map<string, string> | undefined {
  const heads = [...text.matchAll(HEADER)];
  if (!heads.length) return undefined;
  const sections = new Map<string, string>();
  heads.forEach((m, i) => {
    const start = m.index! + m[0].length + 1;
    const next = heads[i + 1];
    // Sections are separated by one blank line: the newline before the next header is the separator's.
    const end = next ? next.index! - 1 : text.length;
    sections.set(m[1]!, text.slice(start, Math.max(start, end)));
  });
  return sections;
}
