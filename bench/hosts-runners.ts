// The runners of the hosts bench: the same checks on the same lab hosts, each as its tool is meant to be used.
// Each runner says how to start it and how to read, from what it wrote, which checks failed on which host.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { HostCheck } from '../suites/host-checks/checks-file.ts';
import { writeAnsibleFiles } from './competitors/ansible.ts';
import { floorRemoteScript, floorScript, rawSshScript } from './competitors/shell-scripts.ts';
import { writeSshConfig, type BenchLab } from './competitors/ssh-files.ts';
import type { RunSpec } from './hosts-measure.ts';

const ROOT = resolve(import.meta.dirname, '..');
const COMPETITORS = join(ROOT, 'bench/competitors');
const PYTHON = '/usr/bin/python3';

export interface RunnerInput {
  /** A fresh folder for this one run. */
  dir: string;
  lab: BenchLab;
  checks: HostCheck[];
  checksFile: string;
}

/** Failed check ids by host name, as the runner reported them. */
export type Outcome = Map<string, Set<string>>;

export interface Runner {
  name: string;
  what: string;
  prepare(input: RunnerInput): Omit<RunSpec, 'stdoutFile' | 'stderrFile'>;
  outcome(input: RunnerInput, stdout: string): Outcome;
  /** Why checks went wrong, in the runner's own words (for a run with a wrong outcome). */
  explain?(input: RunnerInput, stdout: string): string[];
}

const hostNames = (lab: BenchLab) => lab.hosts.map((h) => h.name);
const emptyOutcome = (lab: BenchLab): Outcome => new Map(lab.hosts.map((h) => [h.name, new Set<string>()]));

function hwqual(name: string, what: string, env: Record<string, string>, facts?: string): Runner {
  return {
    name,
    what,
    prepare({ dir, lab, checksFile, checks }) {
      const plan = join(dir, 'plan.yaml');
      // One case per check and host may run at once (the plan's concurrency), as Ansible's forks ≥ hosts.
      writeFileSync(
        plan,
        'name: bench-host-checks\nsuites: [host-checks]\n' +
          `concurrency: ${Math.min(4096, lab.hosts.length * checks.length)}\ntimeouts: { case: 120 }\n` +
          (facts ? `facts: ${facts}\n` : ''),
      );
      return {
        argv: [
          process.execPath,
          join(ROOT, 'bin/hwqual.mjs'),
          'run',
          '--timings',
          '--lab',
          lab.labYaml,
          '--plan',
          plan,
          '--out',
          join(dir, 'out'),
        ],
        env: { HWQUAL_HOST_CHECKS: checksFile, CI: '1', ...env },
      };
    },
    outcome({ dir, lab }) {
      const out = emptyOutcome(lab);
      const results = JSON.parse(readFileSync(join(dir, 'out/results.json'), 'utf8')) as {
        cases: Array<{ host: string; caseId: string; status: string }>;
      };
      for (const c of results.cases) if (c.status !== 'passed') out.get(c.host)?.add(c.caseId);
      return out;
    },
    explain({ dir }) {
      const results = JSON.parse(readFileSync(join(dir, 'out/results.json'), 'utf8')) as {
        cases: Array<{ id: string; status: string; message?: string }>;
      };
      return results.cases.filter((c) => c.status === 'error').map((c) => `${c.id}: ${c.message ?? 'error'}`);
    },
  };
}

function testinfra(backend: 'ssh' | 'paramiko'): Runner {
  return {
    name: `testinfra-${backend}`,
    what:
      `pytest-testinfra ${backend}:// backend, pytest-xdist -n hosts --dist loadgroup (one worker per host, ` +
      `bench/competitors/conftest.py)${backend === 'ssh' ? ', ControlMaster/ControlPersist' : ''}`,
    prepare({ dir, lab, checksFile }) {
      const config = writeSshConfig(dir, lab, backend === 'ssh');
      return {
        argv: [
          PYTHON,
          '-m',
          'pytest',
          '-p',
          'no:cacheprovider',
          '-q',
          '-rf',
          '-n',
          String(lab.hosts.length),
          '--dist',
          'loadgroup',
          `--hosts=${hostNames(lab)
            .map((h) => `${backend}://${h}`)
            .join(',')}`,
          `--ssh-config=${config}`,
          join(COMPETITORS, 'test_host_checks.py'),
        ],
        env: { HWQUAL_HOST_CHECKS: checksFile, PYTHONDONTWRITEBYTECODE: '1' },
        cwd: dir,
      };
    },
    outcome({ lab }, stdout) {
      const out = emptyOutcome(lab);
      // FAILED …/test_host_checks.py::test_check[ssh://node-a-dev-kvm] - AssertionError: …
      for (const m of stdout.matchAll(/^(?:FAILED|ERROR) \S*test_check\[\w+:\/{1,2}([^\]]+)\]/gm)) {
        const id = m[1]!;
        const host = hostNames(lab)
          .filter((h) => id.startsWith(`${h}-`))
          .sort((a, b) => b.length - a.length)[0];
        if (host) out.get(host)!.add(id.slice(host.length + 1));
      }
      return out;
    },
  };
}

const ansible: Runner = {
  name: 'ansible',
  what: 'ansible-playbook, pipelining, ControlPersist, forks ≥ hosts, gather_facts off',
  prepare({ dir, lab, checksFile }) {
    const { config } = writeAnsibleFiles(dir, lab);
    return {
      argv: ['ansible-playbook', '-e', `checks_file=${checksFile}`, join(COMPETITORS, 'host-checks.yml')],
      env: {
        ANSIBLE_CONFIG: config,
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_FORCE_COLOR: '0',
        ANSIBLE_HOME: join(dir, 'ansible-home'),
      },
      cwd: dir,
    };
  },
  outcome({ lab }, stdout) {
    const out = emptyOutcome(lab);
    for (const m of stdout.matchAll(/^fatal: \[([^\]]+)\]: FAILED! => .*HWQUAL-FAILED ([\w.,-]*)/gm)) {
      for (const id of m[2]!.split(',').filter(Boolean)) out.get(m[1]!)?.add(id);
    }
    for (const m of stdout.matchAll(/^fatal: \[([^\]]+)\]: UNREACHABLE!/gm)) out.get(m[1]!)?.add('(unreachable)');
    return out;
  },
};

function script(name: string, what: string, write: (input: RunnerInput) => string): Runner {
  return {
    name,
    what,
    prepare(input) {
      const file = join(input.dir, `${name}.sh`);
      writeFileSync(file, write(input));
      return { argv: ['bash', file], cwd: input.dir };
    },
    outcome({ lab }, stdout) {
      const out = emptyOutcome(lab);
      for (const m of stdout.matchAll(/^FAIL (\S+) (\S+)$/gm)) out.get(m[1]!)?.add(m[2]!);
      return out;
    },
  };
}

const rawSsh = script('raw-ssh', 'OpenSSH, ControlMaster per host, one `ssh` per check', ({ dir, lab, checks }) =>
  rawSshScript(writeSshConfig(dir, lab, true), hostNames(lab), checks),
);

const floor = script('floor', 'one `ssh` per host running all checks in one shell script', ({ dir, lab, checks }) => {
  const remote = join(dir, 'checks.sh');
  writeFileSync(remote, floorRemoteScript(checks));
  return floorScript(writeSshConfig(dir, lab, false), hostNames(lab), remote);
});

export const RUNNERS: Runner[] = [
  hwqual(
    'hwqual',
    'hwqual run with the default plan settings (SSH transport, read-only commands batched per host; default ' +
      '`facts: auto`, which for the host-checks suite — it reads no fact — gathers identity only)',
    {},
  ),
  hwqual('hwqual-all-facts', 'hwqual run as above, with `facts: all` (every host fact gathered first)', {}, 'all'),
  hwqual('hwqual-unbatched', 'hwqual run with HWQUAL_SSH_BATCH=0 (one SSH channel per command; default facts)', {
    HWQUAL_SSH_BATCH: '0',
  }),
  testinfra('ssh'),
  testinfra('paramiko'),
  ansible,
  rawSsh,
  floor,
];

/** Runners whose tools are installed (the Python/Ansible ones need bench/competitors/install.sh). */
export function availableRunners(): Runner[] {
  const ansibleThere = existsSync('/usr/bin/ansible-playbook');
  const testinfraThere =
    existsSync('/usr/lib/python3/dist-packages/testinfra') && existsSync('/usr/lib/python3/dist-packages/xdist');
  return RUNNERS.filter((r) =>
    r.name === 'ansible' ? ansibleThere : r.name.startsWith('testinfra') ? testinfraThere : true,
  );
}

export function freshDir(root: string, name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
