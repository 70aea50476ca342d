import type { Command } from 'commander';
import { errorCodeOf, messageOf } from '../../model/errors.ts';
import { loadLab } from '../../config/index.ts';
import { buildImages, listImages } from '../../vm/images/build-cli.ts';
import { DEFAULT_UNUSED_FOR_MS, pruneLabHosts } from '../../vm/images/prune.ts';
import { stagingRoot } from '../../vm/images/stage.ts';
import { badInputExit, collectList, UsageExit } from '../common.ts';
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
  images
    .command('prune')
    .description(
      `remove images staged on the lab's SSH hosts (${stagingRoot()}, ${stagingRoot('USER')} for a login other than ` +
        'root) that no process uses and no run used lately',
    )
    .requiredOption('--lab <file>', 'lab file')
    .option('--host <names>', 'only these hosts (comma-separated, repeatable)', collectList)
    .option('--unused-for <duration>', 'keep what was used within this long: 30m, 24h, 7d, 0 (default 24h)')
    .option('--json', 'print JSON')
    .action(async (o: { lab: string; host?: string[]; unusedFor?: string; json?: boolean }) => {
      let results: Awaited<ReturnType<typeof pruneLabHosts>>;
      try {
        const unusedForMs = o.unusedFor === undefined ? DEFAULT_UNUSED_FOR_MS : parseDuration(o.unusedFor);
        results = await pruneLabHosts(loadLab(o.lab), { hosts: o.host, unusedForMs });
      } catch (err) {
        process.exitCode = badInputExit(err);
        return;
      }
      if (o.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      else
        for (const r of results) {
          if (r.error) process.stdout.write(`${r.host}: failed: ${r.error}\n`);
          for (const e of r.entries)
            process.stdout.write(`${r.host}: ${e.action} ${e.name}${e.why ? ` (${e.why})` : ''}\n`);
          if (!r.error && !r.entries.length) process.stdout.write(`${r.host}: nothing staged\n`);
        }
      process.exitCode = results.some((r) => r.error) ? EXIT.failed : EXIT.ok;
    });
}

/** `30m`, `24h`, `7d`, `90s` or `0` → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)(s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new UsageExit(`--unused-for: expected a duration such as 30m, 24h, 7d or 0, got "${text}"`);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
