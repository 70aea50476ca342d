import { canonicalFeature } from './qmp-cpu.ts';
import { CPUID_LINUX_FLAGS, expectedGuestFlags, KERNEL_MAY_HIDE, qemuToLinux } from './cpu-flag-names.ts';
import { kernelDoesNotName, kernelRelease } from './linux-flag-naming.ts';

/**
 * The guest-view CPU check, shared by the guest-images and cpu-features suites: what QEMU says a `-cpu` spec gives
 * (the model's boolean CPUID features minus its unavailable-features on that host, plus/minus the spec's own
 * `+feat`/`-feat`) against the flags in the guest's /proc/cpuinfo, through the QEMU↔Linux table. A flag the guest's
 * kernel release does not print (src/probe/linux-flag-naming.ts) is not required: it is listed in `notNamed`. Pure.
 */

/** `Skylake-Server,+aes,-avx512f` → the model and the features added and removed (QEMU's canonical names). */
export function parseCpuSpec(spec: string): { model: string; plus: string[]; minus: string[] } {
  const [model, ...mods] = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const pick = (sign: string) =>
    mods
      .filter((m) => m.startsWith(sign) || (sign === '+' && /=on$/.test(m)) || (sign === '-' && /=off$/.test(m)))
      .map((m) => canonicalFeature(m.replace(/^[+-]/, '').replace(/=(on|off)$/, '')));
  return { model, plus: pick('+'), minus: pick('-') };
}

/**
 * CPUID-named flags a Linux guest sets by itself whatever the CPU model says, so they are never "unexpected":
 * OS-enabled bits (osxsave, ospke), 3dnowprefetch (implied by lm on x86-64), and the speculation-control flags the
 * kernel derives from spec-ctrl/amd-ssbd/virt-ssbd (ibrs, ibpb, stibp, ssbd).
 */
export const KERNEL_SETS_ITSELF: ReadonlySet<string> = new Set([
  'osxsave',
  'ospke',
  '3dnowprefetch',
  'ibrs',
  'ibpb',
  'stibp',
  'ssbd',
]);

export interface FlagCheckInput {
  /** The spec booted, e.g. `max,-aes` (its `+`/`-` features are applied on top of `modelFeatures`). */
  spec: string;
  /** QEMU features the spec's base model gives on this host (expansion minus unavailable-features), any spelling. */
  modelFeatures: Iterable<string>;
  /** The flags line of the guest's /proc/cpuinfo. */
  guestFlags: readonly string[];
  /** Linux flag names to restrict the check to (e.g. the crypto flags); default: every flag. */
  only?: Iterable<string>;
  /** The guest kernel's `uname -r`; unknown or unparsable: every flag of the model is required. */
  guestKernel?: string;
}

export interface FlagCheckResult {
  spec: string;
  /** Linux flags the guest must show. */
  expected: string[];
  /** Flags of the model the guest's kernel release does not print in /proc/cpuinfo (not required). */
  notNamed: string[];
  /** The guest kernel as given, and whether its release could be read (if not, nothing is in `notNamed`). */
  guestKernel?: string;
  kernelKnown: boolean;
  /** Flags of the model a guest kernel may drop by policy (not required). */
  mayHide: string[];
  /** Expected but absent in the guest. */
  missing: string[];
  /** CPUID flags the guest shows that the model does not give (kernel-derived flags excepted). */
  unexpected: string[];
  /** Linux flags of the spec's `-feat` removals (each must be absent). */
  removed: string[];
  /** Removed flags the guest still shows (also listed in `unexpected` when CPUID-named). */
  removedShown: string[];
  ok: boolean;
}

export function checkGuestFlags(input: FlagCheckInput): FlagCheckResult {
  const { plus, minus } = parseCpuSpec(input.spec);
  const features = new Set([...input.modelFeatures].map(canonicalFeature));
  for (const f of plus) features.add(f);
  for (const f of minus) features.delete(f);
  const model = expectedGuestFlags(features);
  const notNamed = model.expected.filter((f) => kernelDoesNotName(f, input.guestKernel));
  const expected = model.expected.filter((f) => !notNamed.includes(f));
  const { mayHide } = model;
  const guest = new Set(input.guestFlags);
  const allowed = new Set([...model.expected, ...mayHide, ...KERNEL_MAY_HIDE, ...KERNEL_SETS_ITSELF]);
  const removed = [...new Set(minus.flatMap(qemuToLinux))].sort();
  const missing = expected.filter((f) => !guest.has(f));
  const unexpected = [...guest]
    .filter((f) => CPUID_LINUX_FLAGS.has(f) && (!allowed.has(f) || removed.includes(f)))
    .sort();
  const removedShown = removed.filter((f) => guest.has(f));
  const only = input.only && new Set(input.only);
  const keep = (fs: string[]) => (only ? fs.filter((f) => only.has(f)) : fs);
  const r = {
    spec: input.spec,
    expected: keep(expected),
    notNamed: keep(notNamed),
    guestKernel: input.guestKernel,
    kernelKnown: kernelRelease(input.guestKernel) !== undefined,
    mayHide: keep(mayHide),
    missing: keep(missing),
    unexpected: keep(unexpected),
    removed: keep(removed),
    removedShown: keep(removedShown),
  };
  return { ...r, ok: r.missing.length === 0 && r.unexpected.length === 0 && r.removedShown.length === 0 };
}

/** One line for a failure message: `-cpu max: missing aes; unexpected avx512f`. */
export function describeFlagMismatch(r: FlagCheckResult): string {
  const parts = [
    r.missing.length ? `missing ${r.missing.join(' ')}` : '',
    r.unexpected.length ? `unexpected ${r.unexpected.join(' ')}` : '',
  ].filter(Boolean);
  return `-cpu ${r.spec}: ${parts.join('; ') || 'flags match'}`;
}

/**
 * What the guest's kernel left out of the check, for the case log: `not named by guest kernel 6.1
 * (6.1.0-57-cloud-amd64): cmpccxadd fsrc fsrs fzrm`, or that an unknown kernel has every flag required; '' when
 * nothing was left out.
 */
export function describeNotNamed(r: FlagCheckResult): string {
  if (!r.kernelKnown) {
    const which = r.guestKernel ? `'${r.guestKernel}' is not a release hwqual can read` : 'not reported';
    return `guest kernel ${which}: every flag of the model is required`;
  }
  const k = kernelRelease(r.guestKernel)!;
  const release = `${k.major}.${k.minor}`;
  const kernel = r.guestKernel === release ? release : `${release} (${r.guestKernel})`;
  return r.notNamed.length ? `not named by guest kernel ${kernel}: ${r.notNamed.join(' ')}` : '';
}

/** The part of a case's `check`/`expect` this needs (structural, so probe/ stays free of suite-api imports). */
interface OkRecorder {
  ok(name: string, condition: boolean, detail?: { expected?: unknown; actual?: unknown; message?: string }): boolean;
}

/**
 * Record the check as assertions: `guest flags under -cpu X` (missing), `no unexpected flags under -cpu X`, and
 * `<flag> removed` per `-feat`. Returns whether all held.
 */
export function recordFlagCheck(check: OkRecorder, r: FlagCheckResult): boolean {
  let ok = check.ok(`guest flags under -cpu ${r.spec}`, r.missing.length === 0, {
    expected: r.notNamed.length ? "all of the model's flags the guest kernel names" : "all of the model's flags",
    actual: r.missing.length ? `missing: ${r.missing.join(' ')}` : 'all present',
    message: `-cpu ${r.spec}: the guest lacks ${r.missing.join(' ')}`,
  });
  ok =
    check.ok(`no unexpected flags under -cpu ${r.spec}`, r.unexpected.length === 0, {
      expected: 'none',
      actual: r.unexpected.join(' ') || 'none',
      message: `-cpu ${r.spec}: the guest shows flags the model does not give: ${r.unexpected.join(' ')}`,
    }) && ok;
  for (const f of r.removed) {
    ok =
      check.ok(`${f} removed`, !r.removedShown.includes(f), {
        expected: 'absent',
        actual: r.removedShown.includes(f) ? 'present' : 'absent',
        message: `-cpu ${r.spec} removes ${f}, but the guest shows it`,
      }) && ok;
  }
  return ok;
}
