// `npm run bench -- scale`: 2,000, 4,000, 10,000 and 20,000 replayed hosts × the 30 host checks (replay transport,
// no network): plan expansion, scheduling, the case log, results.json, junit.xml, report.html/.md and the sign-off,
// as `hwqual run --replay` does. Each size runs in its own process (peak RSS is that run's); wall time is the whole
// process, start-up included. At 10,000 hosts: junit.xml against the Jenkins XSD, `hwqual report` rebuilding the run
// (its memory, and results.json unchanged by it), report.html in Chromium (first screen, screenshot stored).
// Targets at 10,000 hosts: < 12 s wall, < 768 MiB peak RSS, peak RSS ×1.3 at most per doubling from 2,000.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { saveProfile } from '../src/transport/profile.ts';
import { loadHostChecks } from '../suites/host-checks/checks-file.ts';
import { machineInfo } from './hosts-machine.ts';
import { checkFirstScreen, type FirstScreen } from './scale-browser.ts';
import { formatScale, type ScaleSample } from './scale-format.ts';
import { scaleProfile } from './scale-profile.ts';

const ROOT = resolve(import.meta.dirname, '..');
const XSD = resolve(ROOT, 'fixtures/schemas/junit-jenkins.xsd');
const OUT = join(ROOT, 'reports/bench');
/** The size the targets are set at (and the extra checks run on). */
export const TARGET_HOSTS = 10_000;

export async function benchScale(sizes = envSizes() ?? [2000, 4000, 10_000, 20_000]): Promise<string> {
  const started = new Date();
  const root = mkdtempSync('/tmp/hwqual-bench-scale-');
  const machine = machineInfo();
  const samples: ScaleSample[] = [];
  try {
    // The replayed host is made once (this machine answers the host checks live) and saved as a profile folder;
    // each sample loads it as `hwqual run --replay DIR` would.
    const profileDir = join(root, 'profile');
    await saveProfile(profileDir, await scaleProfile(loadHostChecks()));
    const checked = sizes.includes(TARGET_HOSTS) ? TARGET_HOSTS : Math.max(...sizes);
    for (const n of sizes) {
      const out = join(root, `run-${n}`);
      mkdirSync(out, { recursive: true });
      const loadavg1 = loadavg()[0]!;
      const t0 = performance.now();
      const text = execFileSync(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'bench/scale-run-once.ts'), String(n), out, profileDir],
        { encoding: 'utf8', maxBuffer: 16 << 20, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const wallMs = performance.now() - t0;
      const sample: ScaleSample = {
        ...(JSON.parse(text.trim().split('\n').pop()!) as Omit<ScaleSample, 'wallMs' | 'loadavg1'>),
        wallMs,
        loadavg1,
      };
      process.stderr.write(
        `bench scale: ${n} hosts: ${(wallMs / 1000).toFixed(2)} s wall, ` +
          `${(sample.cpuMs.sinceStart / 1000).toFixed(2)} s CPU, ${(sample.maxRssKiB / 1024).toFixed(0)} MiB, ` +
          `load ${loadavg1.toFixed(1)}\n`,
      );
      if (n === checked || n === Math.max(...sizes)) Object.assign(sample, validateJunit(join(out, 'junit.xml')));
      if (n === checked) {
        sample.rebuild = rebuildReport(out);
        mkdirSync(OUT, { recursive: true });
        sample.browser = await checkFirstScreen(join(out, 'report.html'), join(OUT, `scale-report-${n}.png`));
      }
      samples.push(sample);
      // The run folders stay until the end: deleting one's 10,000 transcript files just before the next run starts
      // made that run's file creations slow (ext4 without a journal, as here, does not reuse an inode freed in the
      // last minute — up to five — and checks the freed ones one by one: seconds of kernel CPU at 10,000 hosts), a
      // cost of the bench's own clean-up, not of the run.
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  machine.loadavgEnd = machineInfo().loadavgStart;
  const md = formatScale(machine, samples, started);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'scale.json'), `${JSON.stringify({ machine, started, samples }, null, 2)}\n`);
  writeFileSync(join(OUT, 'scale.md'), md);
  return md;
}

function validateJunit(file: string): Pick<ScaleSample, 'junitValid' | 'junitValidation'> {
  const r = spawnSync('xmllint', ['--noout', '--huge', '--schema', XSD, file], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const said = `${r.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ');
  return { junitValid: r.status === 0, junitValidation: r.error ? r.error.message : said };
}

/** `hwqual report <dir>` as a user runs it: its wall time and peak RSS, and whether results.json came out the same. */
function rebuildReport(dir: string): NonNullable<ScaleSample['rebuild']> {
  const digest = () =>
    createHash('sha256')
      .update(readFileSync(join(dir, 'results.json')))
      .digest('hex');
  const before = digest();
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, join(ROOT, 'bin/hwqual.mjs'), 'report', dir], {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
  const [seconds, kib] = `${r.stderr}`.trim().split('\n').pop()!.split(' ').map(Number);
  return { exitCode: r.status ?? -1, wallMs: seconds! * 1000, maxRssKiB: kib!, resultsUnchanged: digest() === before };
}

function envSizes(): number[] | undefined {
  const v = process.env.HWQUAL_SCALE_SIZES;
  return v ? v.split(',').map(Number) : undefined;
}

export type { FirstScreen };
