// The foundation end to end: the CLI runs plans over a real OpenSSH sshd on 127.0.0.1.
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type SshdHandle } from '../support/sshd.ts';
import { junitValidates, runCli } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';
import type { RunResults } from '../../src/model/result.ts';
import { tempDir } from '../support/temp-dir.ts';

const FIXTURE_SUITES = join(import.meta.dirname, '../fixtures/suites');
let sshd: SshdHandle;
let dir: string;

function writeLab(name: string, knownHosts = sshd.knownHostsFile): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    JSON.stringify({
      hosts: [
        {
          name: 'node-ssh',
          address: '127.0.0.1',
          port: sshd.port,
          user: 'root',
          identityFile: sshd.clientKeyFile,
          knownHosts,
          labels: { pool: 'test' },
          ssh: { keepaliveIntervalSec: 1, keepaliveCountMax: 2, agent: false },
        },
      ],
    }),
  );
  return file;
}
function writePlan(name: string, body: object): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ name: name.replace(/\..*/, ''), ...body }));
  return file;
}
const results = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;

beforeAll(async () => {
  sshd = await startSshd({ name: 'node-ssh' });
  dir = tempDir('hwqual-run-ssh-');
});
afterAll(async () => {
  await sshd?.stop();
});

describe('hwqual run over SSH', () => {
  it('runs host-os and server-inventory over one SSH connection and writes valid reports', async () => {
    const before = sshd.acceptedConnections();
    const out = join(dir, 'out-suites');
    const r = await runCli([
      'run',
      '--lab',
      writeLab('lab.json'),
      '--plan',
      writePlan('suites.json', { suites: ['host-os', 'server-inventory'], concurrency: 8 }),
      '--out',
      out,
    ]);
    expect([0, 1]).toContain(r.code);
    expect(sshd.acceptedConnections() - before).toBe(1);
    const res = results(out);
    expect(res.hosts[0]).toMatchObject({ name: 'node-ssh', transport: 'ssh', reachable: true });
    expect(res.hosts[0].facts.os?.id).toBe('debian');
    expect(res.cases.length).toBeGreaterThan(10);
    expect(res.cases.filter((c) => c.status === 'error')).toEqual([]);
    expect(junitValidates(join(out, 'junit.xml'))).toMatchObject({ ok: true });
    expect(r.stdout).toMatch(/\d+ passed, \d+ failed, 0 errors, \d+ skipped/);
  });

  it('kills a timed-out command on the host, also when logged in as root', async () => {
    const out = join(dir, 'out-timeout');
    const r = await runCli(
      [
        'run',
        '--lab',
        writeLab('lab.json'),
        '--plan',
        writePlan('behaviours.json', { suites: ['demo-behaviours'] }),
        '--out',
        out,
        '--grep',
        'times-out',
      ],
      { HWQUAL_SUITES_PATH: FIXTURE_SUITES },
    );
    expect(r.code).toBe(1);
    expect(results(out).cases[0]).toMatchObject({ status: 'error', errorCode: 'E_TIMEOUT' });
    expect(execSync('pgrep -f hwqual-timeout-marke[r]-node-ssh || true').toString().trim()).toBe('');
  });

  it('refuses an unknown host key: the host is unreachable, its cases are errors, reports are written', async () => {
    const empty = join(dir, 'known_hosts_empty');
    writeFileSync(empty, '');
    const out = join(dir, 'out-hostkey');
    const r = await runCli(
      [
        'run',
        '--lab',
        writeLab('lab-unknown-key.json', empty),
        '--plan',
        writePlan('hk.json', { suites: ['slow-steps'] }),
        '--out',
        out,
      ],
      { HWQUAL_SUITES_PATH: FIXTURE_SUITES },
    );
    expect(r.code).toBe(1);
    const res = results(out);
    expect(res.hosts[0].reachable).toBe(false);
    expect(res.hosts[0].error).toMatch(/host unreachable: .*host key/i);
    expect(res.cases.every((c) => c.status === 'error' && /host unreachable/.test(c.message ?? ''))).toBe(true);
    expect(junitValidates(join(out, 'junit.xml')).ok).toBe(true);
  });

  it('finishes and writes both reports when sshd is killed mid-run', async () => {
    const out = join(dir, 'out-killed');
    const run = runCli(
      [
        'run',
        '--lab',
        writeLab('lab.json'),
        '--plan',
        writePlan('slow.json', { suites: ['slow-steps'] }),
        '--out',
        out,
      ],
      { HWQUAL_SUITES_PATH: FIXTURE_SUITES },
    );
    await waitFor(() => existsSync(join(out, 'transcripts')), 'the transcripts folder', 20_000);
    await new Promise((r) => setTimeout(r, 1500));
    await sshd.stop();
    const r = await run;
    expect(r.code).toBe(1);
    const res = results(out);
    const statuses = res.cases.map((c) => c.status);
    expect(statuses).toContain('passed');
    expect(statuses).toContain('error');
    expect(statuses.filter((s) => s !== 'passed' && s !== 'error')).toEqual([]);
    expect(res.cases.find((c) => c.status === 'error')!.message).toMatch(/connection|unreachable|refused/i);
    expect(junitValidates(join(out, 'junit.xml')).ok).toBe(true);
  });
});
