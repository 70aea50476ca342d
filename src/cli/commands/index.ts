import type { Command } from 'commander';
import { register as validate } from './validate.ts';
import { register as list } from './list.ts';
import { register as run } from './run.ts';
import { register as demo } from './demo.ts';
import { register as lab } from './lab.ts';
import { register as report } from './report.ts';
import { register as merge } from './merge.ts';
import { register as images } from './images.ts';
import { register as record } from './record.ts';
import { register as labMigrate } from './lab-migrate.ts';

/** Every subcommand's register(); main.ts calls each. Add one import + one entry per command file. */
export const commandRegistrars: Array<(program: Command) => void> = [validate, list, run, demo, lab, report, merge, images, record, labMigrate];
