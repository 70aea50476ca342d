import type { Command } from 'commander';
import { errorCodeOf, messageOf } from '../../model/errors.ts';
import { buildImages, listImages } from '../../vm/images/build-cli.ts';
import { EXIT } from '../exit-codes.ts';

export function register(program: Command): void {
  const images = program
    .command('images')
    .description('built-in guest images (built by hwqual, cached in .hwqual-cache/images)');
  images
    .command('build')
    .description(
      'build the default guest images (tiny, tiny-generic), or the ones named with --only; cached ones are reused',
    )
    .option('--quiet', 'print nothing unless something fails')
    .option('--only <names>', 'comma-separated image names (e.g. debian12)', (v: string) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .action(async (o: { quiet?: boolean; only?: string[] }) => {
      try {
        await buildImages({ only: o.only, quiet: o.quiet });
        process.exitCode = EXIT.ok;
      } catch (err) {
        process.stderr.write(`hwqual images build: ${messageOf(err)}\n`);
        process.exitCode = errorCodeOf(err) === 'E_USAGE' ? EXIT.badInput : EXIT.failed;
      }
    });
  images
    .command('list')
    .description('list the built-in images and whether they are built')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const rows = await listImages();
      if (o.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      } else {
        for (const r of rows) {
          const state = r.built ? `built ${r.builtAt} (kernel ${r.kernel}, key ${r.key})` : 'not built';
          process.stdout.write(`${r.name.padEnd(20)} ${r.title.padEnd(52)} ${state}\n`);
        }
      }
      process.exitCode = EXIT.ok;
    });
}
