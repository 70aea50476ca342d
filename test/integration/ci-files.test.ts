// docs/ci/ holds a .gitlab-ci.yml, a GitHub Actions workflow and a Jenkinsfile. Each file's hwqual commands are
// extracted from the file itself and run here as its CI would: the shards as separate processes with the CI's
// variables set (GitLab CI_NODE_INDEX/CI_NODE_TOTAL from `parallel:`, Actions' matrix values, Jenkins' per-stage
// environment), on a 2-host lab-in-a-box, then the merge. The merged verdict (the merge's exit code) and junit.xml
// must equal an unsharded run's: the same case ids with the same statuses. A shard job passes (its own exit 4,
// incomplete, or 1 is a result), and the merge's exit code is the pipeline's verdict.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { labDown, labUp, type LabState } from '../../src/lab/index.ts';
import type { RunResults } from '../../src/model/result.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { validateXsd } from '../unit/report-xml-helpers.ts';

const CI = join(PROJECT_ROOT, 'docs/ci');
const root = mkdtempSync('/tmp/hwq-ci-');
let state: LabState;
/** The lab folder: lab.yaml (its key paths relative to it), plan.yaml, and a package whose `npx hwqual` is this one. */
let work: string;
let baseline: { code: number; cases: string[]; junit: string[] };

/** Run one shell command line (as the CI's shell would) in the lab folder; its exit code and output. */
function sh(command: string, env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], {
      cwd: work,
      // npx finds hwqual in the folder's node_modules/.bin; offline: it never asks a registry.
      env: { ...process.env, npm_config_offline: 'true', npm_config_update_notifier: 'false', CI: 'true', ...env },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

/** The hwqual command lines of a script (install steps and the like are the CI's business). */
const hwqualLines = (script: string | string[]) =>
  (Array.isArray(script) ? script : [script])
    .flatMap((s) => s.split('\n'))
    .map((l) => l.trim())
    .filter(Boolean)
    .reduce<string[]>((lines, l) => {
      // A multi-line shell block: keep its lines together from the first that runs hwqual.
      if (l.includes('hwqual') || lines.length) lines.push(l);
      return lines;
    }, []);

/** What a finished run folder holds: case ids with statuses (results.json) and testcases with their form (JUnit). */
function outcome(dir: string): { cases: string[]; junit: string[] } {
  const r = JSON.parse(readFileSync(join(work, dir, 'results.json'), 'utf8')) as RunResults;
  const xml = readFileSync(join(work, dir, 'junit.xml'), 'utf8');
  expect(validateXsd(join(work, dir, 'junit.xml')).ok).toBe(true);
  const junit: string[] = [];
  for (const m of xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    if (m[1] === 'hwqual.plan') continue; // a shard's or an incomplete run's coverage line
    const form = /<(failure|error|skipped)\b/.exec(m[4] ?? '')?.[1] ?? 'passed';
    junit.push(`${m[1]} ${m[2]}: ${form}`);
  }
  return { cases: r.cases.map((c) => `${c.id}: ${c.status}`).sort(), junit: junit.sort() };
}

/** Run the shards (concurrently, as a CI does), then the merge; the merge's exit code and the merged outcome. */
async function pipeline(shards: Array<{ lines: string[]; env: Record<string, string> }>, merge: string[]) {
  rmSync(join(work, 'reports'), { recursive: true, force: true });
  const jobs = await Promise.all(shards.map((s) => sh(s.lines.join('\n'), s.env)));
  for (const j of jobs) expect(j.code, `a shard job failed:\n${j.output}`).toBe(0);
  const merged = await sh(merge.join('\n'));
  return { code: merged.code, output: merged.output, ...outcome('reports/merged') };
}

beforeAll(async () => {
  state = await labUp({ dir: join(root, 'lab'), hosts: 2 });
  work = dirname(state.labYaml);
  writeFileSync(
    join(work, 'plan.yaml'),
    'name: ci-shards\nsuites: [host-os, server-inventory]\nseverity: { host-os: blocker }\nconcurrency: 8\n',
  );
  writeFileSync(join(work, 'package.json'), '{ "name": "lab", "private": true }\n');
  mkdirSync(join(work, 'node_modules/.bin'), { recursive: true });
  symlinkSync(join(PROJECT_ROOT, 'bin/hwqual.mjs'), join(work, 'node_modules/.bin/hwqual'));
  const whole = await sh('npx hwqual run --lab lab.yaml --plan plan.yaml --out reports-whole');
  expect([0, 1, 3]).toContain(whole.code);
  baseline = { code: whole.code, ...outcome('reports-whole') };
  expect(baseline.cases.length).toBeGreaterThan(10);
}, 180_000);

afterAll(async () => {
  if (state) await labDown(state.dir);
  rmSync(root, { recursive: true, force: true });
});

describe('docs/ci: each CI file, its commands run on a 2-host lab, merged = unsharded', () => {
  it('GitLab: parallel jobs with CI_NODE_INDEX/CI_NODE_TOTAL, a merge job whose JUnit is the report', async () => {
    const doc = parse(readFileSync(join(CI, '.gitlab-ci.yml'), 'utf8'));
    const total = doc.qualify.parallel as number;
    expect(total).toBe(2);
    const lines = hwqualLines(doc.qualify.script);
    expect(lines.join('\n')).toContain('--shard auto');
    const shards = Array.from({ length: total }, (_, i) => ({
      lines,
      env: { CI_NODE_INDEX: String(i + 1), CI_NODE_TOTAL: String(total) },
    }));
    const merged = await pipeline(shards, hwqualLines(doc.verdict.script));
    expect(doc.verdict.artifacts.reports.junit).toBe('reports/merged/junit.xml');
    expect(merged.code, merged.output).toBe(baseline.code);
    expect(merged.cases).toEqual(baseline.cases);
    expect(merged.junit).toEqual(baseline.junit);
    // Each shard alone was incomplete (exit 4, or 1 had it found a failure): the job passed all the same.
    const one = JSON.parse(readFileSync(join(work, 'reports/shard-1/results.json'), 'utf8')) as RunResults;
    expect(one.run.shard).toEqual({ index: 1, total: 2 });
    expect(['incomplete', 'not-qualified']).toContain(one.signoff?.verdict);
  }, 180_000);

  it('GitHub Actions: a matrix job per shard (HWQUAL_SHARD from the matrix), a verdict job', async () => {
    const doc = parse(readFileSync(join(CI, 'github-actions.yml'), 'utf8'));
    const qualify = doc.jobs.qualify;
    const values = qualify.strategy.matrix.shard as number[];
    const expand = (text: string, shard: number) =>
      text
        .replaceAll('${{ matrix.shard }}', String(shard))
        .replaceAll('${{ strategy.job-total }}', String(values.length));
    const steps = (job: { steps: Array<{ run?: string }> }) => job.steps.filter((s) => s.run?.includes('hwqual'));
    const shards = values.map((shard) => ({
      lines: steps(qualify).flatMap((s) => hwqualLines(expand(s.run!, shard))),
      env: Object.fromEntries(
        Object.entries(qualify.env as Record<string, string>).map(([k, v]) => [k, expand(v, shard)]),
      ),
    }));
    expect(shards[1]!.env.HWQUAL_SHARD).toBe('2/2');
    // The verdict job downloads each shard's artifact into reports/<name>: the name and the path the shard wrote.
    const upload = qualify.steps.find((s: { uses?: string }) => s.uses?.startsWith('actions/upload-artifact'));
    expect(expand(upload.with.path, 1)).toBe('reports/shard-1');
    expect(expand(upload.with.name, 1)).toBe('shard-1');
    const merged = await pipeline(
      shards,
      steps(doc.jobs.verdict).flatMap((s) => hwqualLines(s.run!)),
    );
    expect(merged.code, merged.output).toBe(baseline.code);
    expect(merged.cases).toEqual(baseline.cases);
    expect(merged.junit).toEqual(baseline.junit);
  }, 180_000);

  it('Jenkins: parallel stages each with its HWQUAL_SHARD, the merge, the junit step', async () => {
    const text = readFileSync(join(CI, 'Jenkinsfile'), 'utf8');
    const shardRun = /def SHARD_RUN = '''([\s\S]*?)'''/.exec(text)![1]!;
    const stages = [...text.matchAll(/environment \{ HWQUAL_SHARD = '(\d+\/\d+)' \}\s*steps \{\s*sh SHARD_RUN/g)].map(
      (m) => m[1]!,
    );
    expect(stages).toEqual(['1/2', '2/2']);
    const merge = /sh\(returnStatus: true, script: '''([\s\S]*?)'''\)/.exec(text)![1]!;
    expect(/junit testResults: 'reports\/merged\/junit.xml'/.test(text)).toBe(true);
    const merged = await pipeline(
      stages.map((s) => ({ lines: hwqualLines(shardRun), env: { HWQUAL_SHARD: s } })),
      hwqualLines(merge),
    );
    expect(merged.code, merged.output).toBe(baseline.code);
    expect(merged.cases).toEqual(baseline.cases);
    expect(merged.junit).toEqual(baseline.junit);
  }, 180_000);
});
