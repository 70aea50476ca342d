import { Command, CommanderError } from 'commander';
import { harnessVersion } from '../runner/meta.ts';
import { commandRegistrars } from './commands/index.ts';
import { EXIT } from './exit-codes.ts';

/** The program with the subcommands argv needs (all of them when argv is not given or names none). */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('hwqual')
    .description('qualify server hardware, host OS and guest images for a QEMU/KVM cloud')
    .version(harnessVersion())
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const register of await commandRegistrars(argv)) register(program);
  return program;
}

/** Parse argv, run the command, return the exit code. Bad CLI input is exit 2. */
export async function main(argv: string[]): Promise<number> {
  // A closed pipe (`hwqual … | head`) must not kill the process before its teardown runs.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
        return EXIT.ok;
      return EXIT.badInput;
    }
    process.stderr.write(`hwqual: internal error: ${(err as Error).stack ?? err}\n`);
    return EXIT.failed;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
}
