import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { JUNIT_XSD } from '../support/paths.ts';
import { tempDir } from '../support/temp-dir.ts';

export { JUNIT_XSD };

/** Write XML to a temp file; return its path. */
export function xmlFile(xml: string): string {
  const file = path.join(tempDir('hwqual-junit-'), 'junit.xml');
  writeFileSync(file, xml);
  return file;
}

/** xmllint --schema: { ok, stderr }. */
export function validateXsd(file: string): { ok: boolean; stderr: string } {
  const r = spawnSync('xmllint', ['--noout', '--schema', JUNIT_XSD, file], { encoding: 'utf8' });
  return { ok: r.status === 0, stderr: r.stderr };
}

/** Evaluate an XPath with a real parser (xmllint); returns its string value. */
export function xpath(file: string, expr: string): string {
  return execFileSync('xmllint', ['--xpath', expr, file], { encoding: 'utf8' }).trim();
}
