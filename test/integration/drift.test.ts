// `hwqual drift` end to end on a 2-host lab-in-a-box: qualify (host-os + server-inventory + cpu-features over SSH),
// check the unchanged lab against it, then a recorded node-b with a microcode and a QEMU update edited in, then
// node-b really re-imaged from the machine's Debian 12 root onto a Debian 13 root (`lab reimage`).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown, labReimage, labUp } from '../../src/lab/index.ts';
import type { RunResults } from '../../src/model/result.ts';
import { runCli } from '../support/cli.ts';
import { editProfile } from '../support/profile-edit.ts';
import { tempDir } from '../support/temp-dir.ts';

const dir = tempDir('hwqual-drift-lab-');
const labDir = join(dir, 'lab');
const plan = join(dir, 'plan.yaml');
const qualified = join(dir, 'qualified');
let lab: string;
/** With no cpuPool in the plan the lab's hosts form one pool per CPU vendor, anchored on node-a. */
let poolCase: string;
const results = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;

beforeAll(async () => {
  lab = (await labUp({ dir: labDir, hosts: 2 })).labYaml;
  writeFileSync(
    plan,
    'name: gen-lab\nsuites: [host-os, server-inventory, cpu-features]\nsettings: { accel: tcg }\ntimeouts: { case: ' +
      '240 }\n',
  );
  // The guest-view cases boot guests; what drift needs is the run's facts and case list, not those boots.
  const r = await runCli(['run', '--lab', lab, '--plan', plan, '--grep-invert', 'guest-view', '--out', qualified]);
  expect(r.code, r.stderr).not.toBe(2);
  poolCase = results(qualified).cases.find((c) => c.caseId === 'pool-baseline')!.id;
  expect(poolCase).toMatch(/^cpu-features\/pool-baseline\[pool=\w+\]@node-a$/);
}, 300_000);
afterAll(async () => {
  await labDown(labDir);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('hwqual drift on a lab-in-a-box', () => {
  it('the lab as it was qualified: exit 0, every drift case passed', async () => {
    const out = join(dir, 'drift-same');
    const r = await runCli(['drift', '--qualified', qualified, '--lab', lab, '--plan', plan, '--out', out]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(results(out).cases.map((c) => [c.id, c.status])).toEqual([
      ['drift/drift@node-a', 'passed'],
      ['drift/drift@node-b', 'passed'],
    ]);
    expect(r.stdout).not.toContain('re-run');
  });

  it(
    'recorded node-b with new microcode and QEMU: exit 1 naming ' + 'both; `list --grep` lists exactly those ids',
    async () => {
      const recorded = join(dir, 'node-b');
      const rec = await runCli(['record', '--lab', lab, '--host', 'node-b', '--out', recorded]);
      expect(rec.code, rec.stderr).toBe(0);
      const edited = editProfile(recorded, join(dir, 'node-b-updated'), (c) =>
        c.microcode('0x0a0011d5').qemuVersion('8.2.2'),
      );
      const out = join(dir, 'drift-updated');
      const r = await runCli([
        ...['drift', '--qualified', qualified, '--lab', lab, '--plan', plan],
        ...['--replay', `node-b=${edited}`, '--out', out],
      ]);
      expect(r.code, r.stderr).toBe(1);
      const d = results(out);
      const c = d.cases.find((x) => x.id === 'drift/drift@node-b')!;
      expect(c.status).toBe('failed');
      expect(c.message).toMatch(/- cpu-visible: cpu\.microcode \S+ → 0x0a0011d5/);
      expect(c.message).toContain('- hypervisor: qemu.version 7.2');
      expect(c.message).toContain('→ 8.2.2');
      expect(r.stdout).toContain('node-b: cpu-visible, hypervisor');

      const named = (d.hosts[0]!.facts.extra!.drift as { affected: string[] }).affected;
      expect(named).toEqual(expect.arrayContaining(['host-os/qemu-version@node-b', 'cpu-features/qemu-models@node-b']));
      expect(named).toContain(poolCase); // node-b is in the pool node-a anchors
      expect(named.some((id) => id.startsWith('server-inventory/'))).toBe(false);

      const grep = /--grep '([^']+)'/.exec(r.stdout)![1]!;
      const list = await runCli(['list', '--lab', lab, '--plan', plan, '--grep', grep, '--json']);
      expect(list.code, list.stderr).toBe(0);
      const listed = (JSON.parse(list.stdout) as Array<{ id: string }>).map((x) => x.id);
      expect(listed.sort()).toEqual([...named].sort());
    },
  );

  it('node-b re-imaged onto Debian 13: hypervisor drift (OS, QEMU, ' +
    'OpenSSH, cryptsetup); the shared kernel said why', async () => {
    await labReimage({ dir: labDir, host: 'node-b', os: 'debian-13' });
    const out = join(dir, 'drift-reimaged');
    const r = await runCli(['drift', '--qualified', qualified, '--lab', lab, '--plan', plan, '--out', out]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    const d = results(out);
    expect(d.cases.find((x) => x.id === 'drift/drift@node-a')!.status).toBe('passed');
    const c = d.cases.find((x) => x.id === 'drift/drift@node-b')!;
    expect(c.status).toBe('failed');
    const line = /^- hypervisor: (.*)$/m.exec(c.message ?? '')?.[1] ?? '';
    expect(line).toContain('os.versionId 12 → 13');
    expect(line).toMatch(/qemu\.version 7\.2\S* → 10\.0\./);
    expect(line).toMatch(/openssh\.version 9\.2\S* → 10\.0/);
    expect(line).toMatch(/cryptsetup\.version 2\.6\S* → 2\.7\./);
    expect(c.message).not.toMatch(/kernel\.release \S+ →/);
    expect(c.message).toMatch(/kernel\.release.*unchanged .*share this machine's kernel.*debian-13/);
    expect(r.stdout).toContain('node-b: hypervisor');
  }, 300_000);
});
