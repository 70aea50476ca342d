import { randomBytes } from 'node:crypto';
import { parseLuksDump, parseLuksScript, type LuksDumpSummary, type LuksStep } from '../../src/suite-api/parsers.ts';
import { ENC_ROOT } from './commands.ts';
import { LUKS_SCRIPT, LUKS_SCRIPT_NAME } from './luks-script.ts';
import type { ScriptHost } from './script-host.ts';

export type LuksMode = 'format' | 'roundtrip';

export interface LuksRun {
  where: string;
  mode: LuksMode;
  steps: LuksStep[];
  dump: LuksDumpSummary;
  exitCode: number | null;
  stderr: string;
}

/** The steps each mode must report, in order. */
export const LUKS_STEPS: Record<LuksMode, string[]> = {
  format: ['tool', 'format', 'dump', 'right-passphrase', 'wrong-passphrase', 'remove'],
  roundtrip: [
    'tool',
    'format',
    'dump',
    'open',
    'write',
    'close',
    'ciphertext',
    'reopen',
    'verify',
    'wrong-open',
    'close-again',
    'remove',
  ],
};

/**
 * Run the LUKS2 script once, on a file volume or on `device` (a block device: a guest's /dev/vdb). The passphrase
 * and a wrong one are fresh random strings written as files (mode 0600) beside the script; they are never logged,
 * returned or put on a command line.
 */
export async function runLuksScript(
  host: ScriptHost,
  mode: LuksMode,
  timeoutMs = 300_000,
  device?: string,
): Promise<LuksRun> {
  const files = {
    [LUKS_SCRIPT_NAME]: LUKS_SCRIPT,
    key: randomBytes(24).toString('base64url'),
    'wrong-key': randomBytes(24).toString('base64url'),
  };
  const root = ENC_ROOT[mode === 'format' ? 'luksFormat' : 'luksRoundtrip'];
  const r = await host.runInPrivateDir(files, LUKS_SCRIPT_NAME, device ? [mode, device] : [mode], timeoutMs, root);
  const parsed = parseLuksScript(r.stdout);
  return {
    where: host.where,
    mode,
    steps: parsed.steps,
    dump: parseLuksDump(parsed.dump),
    exitCode: r.exitCode,
    stderr: r.stderr,
  };
}

export function stepOf(run: LuksRun, name: string): LuksStep | undefined {
  return run.steps.find((s) => s.step === name);
}
