// `npm run bench -- lab`: the host-os and server-inventory suites over SSH on 1, 3 and 12 lab-in-a-box hosts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { labDown, labUp } from '../src/lab/index.ts';

interface Sample {
  hosts: number;
  wallMs: number;
  commands: number;
  cases: number;
  errors: number;
  maxRssKiB: number;
  mode?: string;
}

export async function benchLab(sizes = envSizes() ?? [1, 3, 12]): Promise<Sample[]> {
  const root = mkdtempSync('/tmp/hwqual-bench-lab-');
  const samples: Sample[] = [];
  try {
    for (const n of sizes) {
      const dir = join(root, `lab-${n}`);
      let state;
      try {
        state = await labUp({ dir, hosts: n });
      } catch (err) {
        // Namespaces ran out (or cannot be made): the loopback fallback still gives n real sshds.
        process.stderr.write(
          `bench: ${n} hosts in namespaces failed (${(err as Error).message}); using loopback sshds\n`,
        );
        await labDown(dir).catch(() => undefined);
        state = await labUp({ dir, hosts: n, loopback: true });
      }
      try {
        const out = execFileSync(
          process.execPath,
          ['--import', 'tsx', join(import.meta.dirname, 'lab-run-once.ts'), state.labYaml, join(dir, 'out')],
          { encoding: 'utf8' },
        );
        samples.push({ ...(JSON.parse(out.trim().split('\n').pop()!) as Sample), mode: state.mode });
      } finally {
        await labDown(dir);
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return samples;
}

function envSizes(): number[] | undefined {
  const v = process.env.HWQUAL_LAB_SIZES;
  return v ? v.split(',').map(Number) : undefined;
}

export function formatLab(samples: Sample[]): string {
  const rows = samples.map(
    (s) =>
      `| ${s.hosts} | ${s.mode} | ${s.cases} | ${s.errors} | ${(s.wallMs / 1000).toFixed(2)} s | ${s.commands} ` +
      `| ${(s.commands / (s.wallMs / 1000)).toFixed(0)} | ${(s.maxRssKiB / 1024).toFixed(0)} MiB |`,
  );
  return [
    "Each size in its own process (peak RSS is that run's), the demo plan's suites (host-os, server-inventory) with " +
      'default facts, every host of a fresh lab-in-a-box over SSH; wall time from prepare to the last case (no ' +
      'reports).',
    '',
    '| hosts | lab | cases | errors | wall time | commands | commands/s | peak RSS |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'Reproduce: `npm run bench -- lab` (HWQUAL_LAB_SIZES=1,3 to narrow it).',
  ].join('\n');
}
