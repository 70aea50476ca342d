// A run that survives faults, on a real 3-host lab-in-a-box: sshd killed, link cut, SIGINT — mid-run.
import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { labDown, labLink, labUp, type LabState } from '../../src/lab/index.ts';
import { isAlive } from '../../src/lab/proc.ts';
import type { RunResults } from '../../src/model/result.ts';
import { junitValidates, runCli } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';

const FIXTURE_SUITES = join(import.meta.dirname, '../fixtures/suites');
const root = mkdtempSync('/tmp/hwq-faults-');
const labDir = join(root, 'lab');
let state: LabState;
let lab: string;
let plan: string;

const results = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
const byHost = (r: RunResults, host: string) => r.cases.filter((c) => c.host === host).map((c) => c.status);
/** Our slow steps still running anywhere on this machine (the lab hosts share its process table). */
const leftovers = () => execSync("pgrep -f '[s]leep 1; echo step-' || true").toString().trim();

/** The `sleep 600` commands running in a lab host's network namespace (what the host's sshd started). */
const sleepersIn = (netns: string) =>
  execSync(`ip netns pids ${netns} | xargs -r ps -o args= -p || true`)
    .toString()
    .split('\n')
    .filter((l) => l.includes('sleep 600')).length;
/** Resolves once the run has begun its cases (its transcripts folder appeared). */
const started = (out: string) => waitFor(() => existsSync(join(out, 'transcripts')), 'the transcripts folder', 30_000);

beforeAll(async () => {
  state = await labUp({ dir: labDir, hosts: 3 });
  // Keepalive of 1 s × 2: a silent link is noticed in about 2 s, not at the case timeout.
  const doc = parse(readFileSync(state.labYaml, 'utf8')) as { defaults?: Record<string, unknown> };
  doc.defaults = { ...doc.defaults, ssh: { keepaliveIntervalSec: 1, keepaliveCountMax: 2, connectTimeoutSec: 3 } };
  lab = join(labDir, 'lab-fast-keepalive.yaml');
  writeFileSync(lab, stringify(doc));
  plan = join(root, 'plan.json');
  writeFileSync(
    plan,
    JSON.stringify({ name: 'faults', suites: ['slow-steps'], concurrency: 8, timeouts: { case: 30 } }),
  );
}, 120_000);

beforeEach(async () => {
  // Every test starts from a healthy lab (a previous test may have killed an sshd or cut a link).
  await labLink(labDir, 'node-c', 'up').catch(() => undefined);
  state = await labUp({ dir: labDir, hosts: 3 });
});

afterAll(async () => {
  await labDown(labDir);
  for (const h of state.hosts) if (h.sshd) expect(isAlive(h.sshd)).toBe(false);
  expect(execSync('ip netns list').toString()).not.toContain(state.id);
  expect(leftovers()).toBe('');
  rmSync(root, { recursive: true, force: true });
});

describe.sequential('faults on the lab-in-a-box', () => {
  it("one host's sshd killed mid-run: its cases error, the others pass, reports are valid", async () => {
    const out = join(root, 'out-kill');
    const run = runCli(['run', '--lab', lab, '--plan', plan, '--out', out], { HWQUAL_SUITES_PATH: FIXTURE_SUITES });
    await started(out);
    const victim = state.hosts.find((h) => h.name === 'node-b')!;
    // sshd and its per-connection processes (and what they run) all live in the host's namespace: kill them all.
    execSync(`ip netns pids ${victim.netns} | xargs -r kill -KILL`);
    const r = await run;
    expect(r.code).toBe(1);
    const res = results(out);
    expect(byHost(res, 'node-a').every((s) => s === 'passed')).toBe(true);
    expect(byHost(res, 'node-c').every((s) => s === 'passed')).toBe(true);
    expect(byHost(res, 'node-b')).toContain('error');
    expect(junitValidates(join(out, 'junit.xml')).ok).toBe(true);
    await waitFor(() => leftovers() === '', 'no slow step left', 5000);
  });

  it("one host's link cut mid-run: its cases error within seconds, the others pass", async () => {
    const out = join(root, 'out-link');
    const run = runCli(['run', '--lab', lab, '--plan', plan, '--out', out], { HWQUAL_SUITES_PATH: FIXTURE_SUITES });
    await started(out);
    await labLink(labDir, 'node-c', 'down');
    const r = await run;
    await labLink(labDir, 'node-c', 'up');
    expect(r.code).toBe(1);
    const res = results(out);
    expect(byHost(res, 'node-a').every((s) => s === 'passed')).toBe(true);
    expect(byHost(res, 'node-b').every((s) => s === 'passed')).toBe(true);
    const lost = res.cases.filter((c) => c.host === 'node-c' && c.status === 'error');
    expect(lost.length).toBeGreaterThan(0);
    expect(lost[0].message).toMatch(/connection|unreachable|timed out/i);
    // noticed by keepalive in seconds, not at the 30 s case timeout
    expect(Math.max(...lost.map((c) => c.durationMs))).toBeLessThan(20_000);
    expect(junitValidates(join(out, 'junit.xml')).ok).toBe(true);
  });

  it(
    'SIGINT twice: the remote commands die on every host ' + '(registry, one channel each), reports, exit 130',
    async () => {
      const out = join(root, 'out-sigint-twice');
      const sleepers = join(root, 'sleepers.json');
      writeFileSync(
        sleepers,
        JSON.stringify({
          name: 'sleepers',
          suites: ['remote-sleepers'],
          hosts: { names: ['node-a', 'node-b'] },
          timeouts: { case: 900 },
        }),
      );
      const hosts = state.hosts.filter((h) => h.name === 'node-a' || h.name === 'node-b');
      const run = runCli(['run', '--lab', lab, '--plan', sleepers, '--out', out], {
        HWQUAL_SUITES_PATH: FIXTURE_SUITES,
      });
      // Each host runs its case's two `sleep 600` (each as `sh -c` and `sleep`) as root.
      await waitFor(() => hosts.every((h) => sleepersIn(h.netns!) >= 4), 'sleep 600 on both hosts', 30_000);
      run.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 100));
      run.kill('SIGINT');
      const r = await run;
      expect(r.code).toBe(130);
      expect(r.stderr).toMatch(/SIGINT again/);
      const res = results(out);
      expect(res.run.interrupted).toBe(true);
      expect(res.cases.map((c) => [c.host, c.status])).toEqual([
        ['node-a', 'cancelled'],
        ['node-b', 'cancelled'],
      ]);
      expect(res.signoff?.verdict).toBe('not-qualified');
      expect(junitValidates(join(out, 'junit.xml')).ok).toBe(true);
      // Checked from inside each host's namespace: nothing of the run is left (a killed process may take a moment).
      await waitFor(() => hosts.every((h) => sleepersIn(h.netns!) === 0), 'no sleep 600 left on either host', 2000);
    },
  );

  it('SIGINT mid-run: running cases cancelled, reports written, exit 130, nothing left on the hosts', async () => {
    const out = join(root, 'out-sigint');
    const run = runCli(['run', '--lab', lab, '--plan', plan, '--out', out], { HWQUAL_SUITES_PATH: FIXTURE_SUITES });
    await started(out);
    run.kill('SIGINT');
    const r = await run;
    expect(r.code).toBe(130);
    const res = results(out);
    expect(res.run.interrupted).toBe(true);
    expect(res.cases.some((c) => c.status === 'cancelled')).toBe(true);
    expect(res.cases.every((c) => ['passed', 'cancelled'].includes(c.status))).toBe(true);
    expect(junitValidates(join(out, 'junit.xml')).ok).toBe(true);
    await waitFor(() => leftovers() === '', 'no slow step left', 5000);
  });
});
