import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CMD } from '../../src/probe/commands.ts';
import type { CommandEntry } from '../../src/transport/profile.ts';

/**
 * A copy of a recorded or assembled host profile (fixtures/hosts/*) with some answers edited, the way an operator's
 * host changes: a microcode update, a QEMU package, a BIOS flash, a new hostname. Returns the copy's folder.
 */
export function editProfile(from: string, to: string, edit: (commands: ProfileCommands) => void): string {
  cpSync(from, to, { recursive: true });
  const file = join(to, 'commands.json');
  const commands = new ProfileCommands(JSON.parse(readFileSync(file, 'utf8')) as CommandEntry[]);
  edit(commands);
  writeFileSync(file, `${JSON.stringify(commands.entries, null, 2)}\n`);
  return to;
}

export class ProfileCommands {
  constructor(readonly entries: CommandEntry[]) {}

  private all(command: string): CommandEntry[] {
    return this.entries.filter((e) => e.command === command);
  }

  /** Every recorded answer of the command now says `stdout` (exit 0); added when the profile lacks it. */
  answer(command: string, stdout: string): this {
    const found = this.all(command);
    if (!found.length)
      this.entries.push({ command, stdout, stderr: '', exitCode: 0, recordedAt: new Date().toISOString(), host: 'x' });
    for (const e of found) Object.assign(e, { stdout, stderr: '', exitCode: 0 });
    return this;
  }

  /** Edit lines of the command's stdout (every recorded answer); throws when nothing matched. */
  replace(command: string, pattern: RegExp, replacement: string): this {
    const found = this.all(command).filter((e) => pattern.test(e.stdout));
    if (!found.length) throw new Error(`no answer of ${command} matches ${pattern}`);
    for (const e of found) e.stdout = e.stdout.replace(pattern, replacement);
    return this;
  }

  /** The command is gone from the host now (exit 127, as the shell says). */
  gone(command: string): this {
    const name = command.split(' ')[0];
    for (const e of this.all(command))
      Object.assign(e, { stdout: '', stderr: `bash: ${name}: command not found\n`, exitCode: 127 });
    return this;
  }

  stdout(command: string): string | undefined {
    return this.all(command).find((e) => e.exitCode === 0)?.stdout;
  }

  /** The CPU microcode as fact gathering reads it: /proc/cpuinfo's `microcode` lines, else the sysfs file. */
  microcode(value: string): this {
    const line = /^(microcode\s*:\s*)\S+$/gm;
    if (this.stdout(CMD.cpuinfo)?.match(line)) return this.replace(CMD.cpuinfo, line, `$1${value}`);
    return this.answer(CMD.microcode, `${value}\n`);
  }

  /** `qemu-system-x86_64 --version` says this version now. */
  qemuVersion(version: string): this {
    return this.replace(CMD.qemuX86, /QEMU emulator version \S+/, `QEMU emulator version ${version}`);
  }
}
