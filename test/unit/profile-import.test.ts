// `hwqual profile import`: the shipped assembled profiles rebuilt with the command equal the committed ones; bad
// input is exit 2 naming the file and what is wrong; the command works from a folder outside the repository.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/transport/profile.ts';
import { ASSEMBLED, importArgv, REAL_HOSTS } from '../../fixtures/hosts/assemble.ts';
import { CLI, hwqualInProcess } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { SHIPPED_PROFILES } from '../support/replay-run.ts';
import { tempDir } from '../support/temp-dir.ts';

const work = tempDir('hwqual-import-');

/** The CLI in this process: exit code and what it wrote to stderr. */
async function cli(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const r = await hwqualInProcess(...args);
  return { code: r.code, stderr: r.err, stdout: r.out };
}

/** Every file under dir, relative to it. */
function files(dir: string): string[] {
  const all = (d: string): string[] =>
    readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? all(join(d, n)) : [join(d, n)]));
  return all(dir)
    .map((f) => relative(dir, f))
    .sort();
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('hwqual profile import', () => {
  it.each(ASSEMBLED.map((p) => [p.name, p] as const))(
    '%s rebuilt with the command equals the committed profile, byte for byte',
    async (name, p) => {
      const out = join(work, 'rebuilt', name);
      const r = await cli(importArgv(p, out));
      expect(r, r.stderr).toMatchObject({ code: 0 });
      const committed = join(SHIPPED_PROFILES, name);
      expect(files(out)).toEqual(files(committed));
      for (const f of files(committed))
        expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(committed, f), 'utf8'));
    },
  );

  it(
    'stores each dump as the one command it answers, with its ' + 'source, and says what is not byte for byte',
    async () => {
      const p = await loadProfile(join(SHIPPED_PROFILES, 'amd-naples-epyc7451'));
      expect(p.meta.origin).toBe('assembled-from-public-dumps');
      expect(p.commands.map((c) => [c.command, c.source])).toEqual([
        ['cat /proc/cpuinfo', 'amd-naples/cpuinfo-epyc7451.txt'],
        ['lscpu', 'amd-naples/lscpu-epyc7451-util-linux-expected.txt'],
        ['grep -r . /sys/devices/system/cpu/vulnerabilities', 'amd-naples/vulnerabilities-epyc7451.txt'],
      ]);
      expect(p.commands[0].stdout).toBe(readFileSync(join(REAL_HOSTS, 'amd-naples/cpuinfo-epyc7451.txt'), 'utf8'));
      expect(Object.keys(p.meta.syntheticCommands ?? {})).toEqual([
        'lscpu',
        'grep -r . /sys/devices/system/cpu/vulnerabilities',
      ]);
      // A full dmidecode dump answers `dmidecode -t 0,1,4,17` as published, and the profile says it holds more types.
      const out = join(work, 'ecs');
      const ecs = join(PROJECT_ROOT, 'test/fixtures/public-captures/dmidecode-alibaba-ecs.txt');
      expect((await cli(['profile', 'import', '--out', out, '--dmidecode', ecs])).code).toBe(0);
      const e = await loadProfile(out);
      expect(e.commands[0]).toMatchObject({ command: 'dmidecode -t 0,1,4,17', stdout: readFileSync(ecs, 'utf8') });
      expect(e.meta.syntheticCommands?.['dmidecode -t 0,1,4,17']).toMatch(/also holds DMI types 3, /);
      expect(e.meta.labels).toEqual({ kind: 'cpu-dump' }); // nothing here says arch or vendor
    },
  );

  describe('bad input: exit 2 naming the file and what is wrong, nothing written', () => {
    const bad = (name: string, text: string) => {
      const f = join(work, name);
      writeFileSync(f, text);
      return f;
    };
    const cputest = readFileSync(join(REAL_HOSTS, 'qmp-kvm/EPYC-7502-32-Core.json'), 'utf8');
    const replies = readFileSync(join(REAL_HOSTS, 'qmp-replies/ryzen-3900x-qemu-7.2.replies'), 'utf8');
    // The .replies with one reply taken out: query-version's request is then followed by the next request.
    const objects = replies.split('\n\n');
    const versionReply = objects.findIndex((_o, i) => i > 0 && objects[i - 1].includes('"query-version"'));
    const unbalanced = objects.filter((_o, i) => i !== versionReply).join('\n\n');
    const cases: Array<[string, string[], RegExp]> = [
      [
        'not a cpuinfo',
        ['--cpuinfo', bad('os-release', 'ID=debian\n')],
        /os-release: not a \/proc\/cpuinfo: no processor block/,
      ],
      [
        'truncated lscpu JSON',
        ['--lscpu-json', bad('lscpu.json', '{"lscpu": [{"field": "Arch')],
        /lscpu\.json: not valid JSON \(truncated\?\)/,
      ],
      [
        'truncated cputestdata',
        ['--qmp-cputestdata', bad('cpuid.json', cputest.slice(0, 5000))],
        /cpuid\.json: truncated JSON: the text ends inside an object/,
      ],
      [
        'unbalanced .replies',
        ['--qmp-replies', bad('caps.replies', unbalanced)],
        /caps\.replies: unbalanced conversation: request \d+ \(query-version id libvirt-\d+\) has no reply/,
      ],
      ['no dump at all', [], /give at least one dump/],
      ['a file that is not there', ['--cpuinfo', join(work, 'nope.txt')], /nope\.txt: cannot read it: ENOENT/],
    ];
    it.each(cases)('%s', async (_what, args, message) => {
      const out = join(work, `bad-${_what.replace(/\W+/g, '-')}`);
      const r = await cli(['profile', 'import', '--out', out, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(() => statSync(out)).toThrow();
    });

    it('an existing folder is refused without --force; --force replaces a profile, never another folder', async () => {
      const cpuinfo = join(REAL_HOSTS, 'amd-genoa/cpuinfo.txt');
      const out = join(work, 'existing');
      expect((await cli(['profile', 'import', '--out', out, '--cpuinfo', cpuinfo])).code).toBe(0);
      const again = await cli(['profile', 'import', '--out', out, '--cpuinfo', cpuinfo]);
      expect(again).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('exists (use --force to replace the profile in it)'),
      });
      expect((await cli(['profile', 'import', '--out', out, '--force', '--cpuinfo', cpuinfo])).code).toBe(0);
      const other = join(work, 'not-a-profile');
      mkdirSync(other);
      writeFileSync(join(other, 'notes.txt'), 'mine');
      const refused = await cli(['profile', 'import', '--out', other, '--force', '--cpuinfo', cpuinfo]);
      expect(refused).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/is not a host profile \(no profile\.json\)/),
      });
      expect(readFileSync(join(other, 'notes.txt'), 'utf8')).toBe('mine');
    });
  });

  it('works from a folder outside the repository (the real CLI, dumps named relative to it)', () => {
    const outside = tempDir('hwqual-dumps-');
    writeFileSync(join(outside, 'cpuinfo.txt'), readFileSync(join(REAL_HOSTS, 'amd-bergamo/cpuinfo-vm-8vcpu.txt')));
    const r = spawnSync(
      process.execPath,
      [CLI, 'profile', 'import', '--out', 'bergamo-vm', '--cpuinfo', 'cpuinfo.txt'],
      {
        cwd: outside,
        encoding: 'utf8',
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote \S+\/bergamo-vm: 1 command answer\(s\)/);
    const p = JSON.parse(readFileSync(join(outside, 'bergamo-vm/profile.json'), 'utf8'));
    expect(p).toMatchObject({
      name: 'bergamo-vm',
      origin: 'assembled-from-public-dumps',
      sources: [{ what: 'cpuinfo.txt', feeds: ['cat /proc/cpuinfo'] }],
      labels: { vendor: 'amd', arch: 'x86_64', kind: 'cpu-dump' },
    });
  });
});
