// A benchmark's report stored under reports/bench/<name>.md, opening with when it ran, on what machine, from which
// commit (docs/performance.md cites only figures from such reports).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { machineInfo, reportProvenance } from './hosts-machine.ts';

const OUT = resolve(import.meta.dirname, '../reports/bench');

/** Run `bench`, then store `# title`, the provenance and its text as reports/bench/<name>.md; returns the text. */
export async function storedBench(name: string, title: string, bench: () => Promise<string>): Promise<string> {
  const started = new Date();
  const machine = machineInfo();
  const body = await bench();
  machine.loadavgEnd = machineInfo().loadavgStart;
  const md = [`# ${title}`, '', ...reportProvenance(machine, started), '', body, ''].join('\n');
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, `${name}.md`), md);
  return md;
}
