import type { Command } from 'commander';

/** Every subcommand's register(); main.ts calls each. Add one import + one entry per command file. */
export const commandRegistrars: Array<(program: Command) => void> = [];
