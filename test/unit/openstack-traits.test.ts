// hwqual's copy of Nova's CPU_TRAITS_MAPPING against Nova's own, taken from Debian 12's python3-nova (fetched once
// with apt-get download + dpkg -x into .hwqual-cache/nova, as migration-nova-debian.test.ts does): the dict literal
// read with Python's ast, each value an os_traits attribute whose name is the trait (os_traits defines them so).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuFeaturesToTraits, NOVA_CPU_TRAITS, traitFeature } from '../../src/openstack/traits.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

const dir = join(PROJECT_ROOT, '.hwqual-cache/nova');
const utilsPy = join(dir, 'x/usr/lib/python3/dist-packages/nova/virt/libvirt/utils.py');

function novaUtils(): string {
  if (!existsSync(utilsPy)) {
    mkdirSync(dir, { recursive: true });
    if (!readdirSync(dir).some((f) => f.startsWith('python3-nova_')))
      execFileSync('apt-get', ['download', 'python3-nova'], { cwd: dir, stdio: 'pipe', timeout: 120_000 });
    const deb = readdirSync(dir).find((f) => f.startsWith('python3-nova_') && f.endsWith('.deb'));
    execFileSync('dpkg', ['-x', join(dir, deb!), join(dir, 'x')], { stdio: 'pipe' });
  }
  return utilsPy;
}

const PY = `
import ast, json, sys
tree = ast.parse(open(sys.argv[1]).read())
node = next(n for n in tree.body
            if isinstance(n, ast.Assign) and getattr(n.targets[0], 'id', '') == 'CPU_TRAITS_MAPPING')
out = []
for k, v in zip(node.value.keys, node.value.values):
    vals = v.elts if isinstance(v, ast.Tuple) else [v]
    out.append([k.value, [x.attr for x in vals]])
print(json.dumps(out))
`;

describe("Nova's CPU traits", () => {
  it("the mapping is Nova's CPU_TRAITS_MAPPING (Debian python3-nova), entry for entry and in order", () => {
    const out = execFileSync('/usr/bin/python3', ['-c', PY, novaUtils()], { encoding: 'utf8' });
    expect(NOVA_CPU_TRAITS).toEqual(JSON.parse(out));
  }, 180_000);

  it('features to traits as cpu_features_to_traits sets them; svm and vmx give both traits; unknown ones none', () => {
    expect(cpuFeaturesToTraits(['aes', 'vaes', 'sha-ni', 'svm', 'x2apic', 'pclmuldq'])).toEqual([
      'HW_CPU_X86_AESNI',
      'HW_CPU_X86_AMD_SVM',
      'HW_CPU_X86_AVX512VAES',
      'HW_CPU_X86_CLMUL',
      'HW_CPU_X86_SHA',
      'HW_CPU_X86_SVM',
    ]);
    expect(cpuFeaturesToTraits([])).toEqual([]);
    expect(traitFeature('HW_CPU_X86_AVX512VAES')).toBe('vaes');
    expect(traitFeature('HW_CPU_X86_INTEL_VMX')).toBe('vmx');
    expect(traitFeature('HW_CPU_X86_NOPE')).toBeUndefined();
  });
});
