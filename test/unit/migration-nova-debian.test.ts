// hwqual's Nova downtime schedule against Nova's own nova.virt.libvirt.migration.downtime_steps, taken from
// Debian 12's python3-nova. The .deb (3 MB) is fetched once with `apt-get download` into .hwqual-cache/nova and
// unpacked with dpkg -x (its ~80 Python dependencies are not installed: the function is loaded alone with
// Python's ast and run with the configured values, which is all it reads).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { novaDowntimeSteps } from '../../src/migration/index.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

const dir = join(PROJECT_ROOT, '.hwqual-cache/nova');
const migrationPy = join(dir, 'x/usr/lib/python3/dist-packages/nova/virt/libvirt/migration.py');

function novaSource(): string {
  if (!existsSync(migrationPy)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('apt-get', ['download', 'python3-nova'], { cwd: dir, stdio: 'pipe', timeout: 120_000 });
    const deb = readdirSync(dir).find((f) => f.startsWith('python3-nova_') && f.endsWith('.deb'));
    execFileSync('dpkg', ['-x', join(dir, deb!), join(dir, 'x')], { stdio: 'pipe' });
  }
  return migrationPy;
}

const PY = `
import ast, json, sys, types
src = open(sys.argv[1]).read()
fn = next(n for n in ast.parse(src).body if isinstance(n, ast.FunctionDef) and n.name == 'downtime_steps')
mod = ast.Module(body=[fn], type_ignores=[])
cases = json.loads(sys.argv[2])
out = []
for c in cases:
    conf = types.SimpleNamespace(libvirt=types.SimpleNamespace(
        live_migration_downtime=c['downtime'],
        live_migration_downtime_steps=c['steps'],
        live_migration_downtime_delay=c['delay']))
    ns = {'CONF': conf}
    exec(compile(mod, 'migration.py', 'exec'), ns)
    out.append([list(s) for s in ns['downtime_steps'](c['gb'])])
print(json.dumps(out))
`;

describe("Nova's downtime schedule", () => {
  it('matches Debian python3-nova downtime_steps for defaults, overrides and odd sizes', () => {
    const cases = [
      { downtime: 500, steps: 10, delay: 75, gb: 2 },
      { downtime: 500, steps: 10, delay: 75, gb: 2.5 },
      { downtime: 400, steps: 10, delay: 30, gb: 3 },
      { downtime: 333, steps: 7, delay: 13, gb: 4.75 },
      { downtime: 100, steps: 3, delay: 3, gb: 17 },
    ];
    const out = execFileSync('/usr/bin/python3', ['-c', PY, novaSource(), JSON.stringify(cases)], { encoding: 'utf8' });
    const nova = JSON.parse(out) as Array<Array<[number, number]>>;
    for (const [i, c] of cases.entries()) {
      const steps = novaDowntimeSteps(c.gb, { downtimeMs: c.downtime, steps: c.steps, delaySecPerGiB: c.delay });
      expect(steps).toEqual(nova[i]);
    }
    expect(nova[0][0]).toEqual([0, 50]);
    expect(nova[0][10]).toEqual([1500, 500]);
  }, 180_000);
});
