import type { Command } from 'commander';

export type Register = (program: Command) => void;

/**
 * Every subcommand: its name and how to load its file (which exports register()). Loaded lazily: `hwqual run …`
 * imports run.ts and what it needs, not the lab, VM or migration code of the other commands (each module costs
 * start-up time under tsx); help and unknown commands load them all. Add one entry per command file.
 */
export const COMMANDS: ReadonlyArray<{ name: string; load: () => Promise<{ register: Register }> }> = [
  { name: 'validate', load: () => import('./validate.ts') },
  { name: 'schema', load: () => import('./schema.ts') },
  { name: 'list', load: () => import('./list.ts') },
  { name: 'run', load: () => import('./run.ts') },
  { name: 'demo', load: () => import('./demo.ts') },
  { name: 'lab', load: () => import('./lab.ts') },
  { name: 'report', load: () => import('./report.ts') },
  { name: 'merge', load: () => import('./merge.ts') },
  { name: 'images', load: () => import('./images.ts') },
  { name: 'record', load: () => import('./record.ts') },
  { name: 'profile', load: () => import('./profile.ts') },
  { name: 'lab-migrate', load: () => import('./lab-migrate.ts') },
  { name: 'drift', load: () => import('./drift.ts') },
  { name: 'rehearse', load: () => import('./rehearse.ts') },
  { name: 'openstack', load: () => import('./openstack.ts') },
];

/** The registers the command line needs: just its subcommand's when it names a known one, else every one (help). */
export async function commandRegistrars(argv: readonly string[]): Promise<Register[]> {
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  const version = argv.slice(2).some((a) => a === '-V' || a === '--version');
  const wanted = version && first === undefined ? [] : COMMANDS.filter((c) => c.name === first);
  const chosen = wanted.length || (version && first === undefined) ? wanted : COMMANDS;
  return (await Promise.all(chosen.map((c) => c.load()))).map((m) => m.register);
}
