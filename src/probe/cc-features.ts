/**
 * Confidential-computing features of a host — SME, SEV, SEV-ES, SEV-SNP (AMD), TME, TDX, SGX (Intel) — as facts with
 * the evidence each rests on. Pure: every input is text or a reply some probe already read; a missing input is a
 * source not consulted, never a "no".
 *
 * What each source can say:
 *   cpuinfo flags  the kernel's view after the firmware (Linux clears sme/sev* when the BIOS left them off): capable
 *   CPUID          the silicon's capability, whatever the firmware did (libvirt cpudata dumps): capable / absent
 *   kvm params     /sys/module/kvm_amd/parameters/{sev,sev_es,sev_snp}, kvm_intel/parameters/tdx: enabled / unavailable
 *   dmesg          "SEV enabled (ASIDs …)", "SEV-SNP enabled", "virt/tdx: module initialized",
 *                  "x86/tme: enabled by BIOS"
 *   QMP            query-sev-capabilities / query-sgx-capabilities: QEMU can (not) launch such guests on this host
 *   libvirt        domcapabilities <sev|sgx|tdx supported=…> and <launchSecurity> sectypes
 */
export const CC_FEATURES = ['sme', 'sev', 'sev-es', 'sev-snp', 'tme', 'tdx', 'sgx'] as const;
export type CcFeature = (typeof CC_FEATURES)[number];
export type CcSource = 'cpuinfo' | 'cpuid' | 'kvm-param' | 'dmesg' | 'qmp' | 'libvirt';
/**
 * What one source says: usable for guests (or active), the CPU has it, cannot be used now, the CPU lacks it, or cannot
 * tell.
 */
export type CcSignal = 'enabled' | 'capable' | 'unavailable' | 'absent' | 'inconclusive';
export type CcState = 'enabled' | 'capable' | 'unavailable' | 'absent' | 'unknown';

export interface CcEvidence {
  source: CcSource;
  signal: CcSignal;
  detail: string;
}
export interface CcFact {
  feature: CcFeature;
  state: CcState;
  evidence: CcEvidence[];
}

/** A QMP reply as data: the `return` value, or the error QEMU gave. */
export type QmpOutcome = { return: unknown } | { error: { class: string; desc: string } };

export interface CcInputs {
  /** /proc/cpuinfo flags (x86 Linux names: sme, sev, sev_es, sev_snp, tme, sgx, tdx_host_platform). */
  cpuinfoFlags?: readonly string[];
  /** Flags decoded from raw CPUID (src/probe/cpuid-xml.ts). */
  cpuidFlags?: readonly string[];
  kvmAmdParams?: Record<string, string>;
  kvmIntelParams?: Record<string, string>;
  dmesg?: string;
  /** QEMU's answers; `kvm` from query-kvm (under TCG, QEMU cannot tell what KVM could do). */
  qmp?: { kvm?: boolean; sevCapabilities?: QmpOutcome; sgxCapabilities?: QmpOutcome };
  /** `virsh domcapabilities` XML. */
  domcapsXml?: string;
}

const FLAG: Record<CcFeature, string> = {
  sme: 'sme',
  sev: 'sev',
  'sev-es': 'sev_es',
  'sev-snp': 'sev_snp',
  tme: 'tme',
  tdx: 'tdx_host_platform',
  sgx: 'sgx',
};
const KVM_AMD: Partial<Record<CcFeature, string>> = { sev: 'sev', 'sev-es': 'sev_es', 'sev-snp': 'sev_snp' };

export function detectCcFeatures(inputs: CcInputs): CcFact[] {
  const ev = new Map<CcFeature, CcEvidence[]>(CC_FEATURES.map((f) => [f, []]));
  const add = (f: CcFeature, source: CcSource, signal: CcSignal, detail: string) =>
    ev.get(f)!.push({ source, signal, detail });

  for (const f of CC_FEATURES) {
    const flag = FLAG[f];
    if (inputs.cpuinfoFlags) {
      if (inputs.cpuinfoFlags.includes(flag)) add(f, 'cpuinfo', 'capable', `/proc/cpuinfo flag ${flag}`);
      // tdx_host_platform is new (Linux 6.8+): its absence says nothing on older kernels.
      else if (f !== 'tdx')
        add(
          f,
          'cpuinfo',
          'absent',
          `no ${flag} in /proc/cpuinfo flags (absent from the CPU or left off by the firmware)`,
        );
    }
    if (inputs.cpuidFlags && f !== 'tdx') {
      if (inputs.cpuidFlags.includes(flag))
        add(f, 'cpuid', 'capable', `CPUID reports ${flag} (capability, whatever the firmware enabled)`);
      else add(f, 'cpuid', 'absent', `CPUID does not report ${flag}`);
    }
  }
  for (const [f, param] of Object.entries(KVM_AMD) as Array<[CcFeature, string]>) {
    const v = inputs.kvmAmdParams?.[param];
    if (v !== undefined)
      add(f, 'kvm-param', yes(v) ? 'enabled' : 'unavailable', `/sys/module/kvm_amd/parameters/${param} = ${v.trim()}`);
  }
  const tdx = inputs.kvmIntelParams?.tdx;
  if (tdx !== undefined)
    add(
      'tdx',
      'kvm-param',
      yes(tdx) ? 'enabled' : 'unavailable',
      `/sys/module/kvm_intel/parameters/tdx = ${tdx.trim()}`,
    );
  if (inputs.dmesg !== undefined)
    for (const [f, signal, line] of dmesgEvidence(inputs.dmesg)) add(f, 'dmesg', signal, `dmesg: ${line}`);
  if (inputs.qmp) for (const [f, signal, detail] of qmpEvidence(inputs.qmp)) add(f, 'qmp', signal, detail);
  if (inputs.domcapsXml !== undefined)
    for (const [f, signal, detail] of domcapsEvidence(inputs.domcapsXml)) add(f, 'libvirt', signal, detail);

  return CC_FEATURES.map((feature) => ({ feature, state: combine(ev.get(feature)!), evidence: ev.get(feature)! }));
}

/**
 * One state from the signals: a source saying "cannot be used" outweighs one saying "enabled"; "cannot be used"
 * on a CPU that the flags say lacks the feature (and nothing says it has it) is "absent".
 */
export function combine(evidence: readonly CcEvidence[]): CcState {
  const has = (s: CcSignal) => evidence.some((e) => e.signal === s);
  if (has('unavailable')) return has('absent') && !has('capable') && !has('enabled') ? 'absent' : 'unavailable';
  if (has('enabled')) return 'enabled';
  if (has('capable')) return 'capable';
  if (has('absent')) return 'absent';
  return 'unknown';
}

function yes(v: string): boolean {
  return /^(y|1|yes|on)$/i.test(v.trim());
}

type Found = [CcFeature, CcSignal, string];

/** Kernel log lines that say what was enabled (kvm_amd, the TDX host code, TME and SGX detection). */
export function dmesgEvidence(text: string): Found[] {
  const out: Found[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\[\s*[\d.]+\]\s*/, '').trim();
    let m: RegExpExecArray | null;
    // kvm_amd: "SEV enabled (ASIDs 1 - 509)", "SEV-ES unusable (…)", "SEV-SNP disabled (…)"; before 6.x "SEV supported:
    // 509 ASIDs".
    if ((m = /\bSEV(-ES|-SNP)? (enabled|disabled|unusable|supported: (\d+) ASIDs)/.exec(line))) {
      const f: CcFeature = m[1] === '-ES' ? 'sev-es' : m[1] === '-SNP' ? 'sev-snp' : 'sev';
      const on = m[2] === 'enabled' || (m[3] !== undefined && Number(m[3]) > 0);
      out.push([f, on ? 'enabled' : 'unavailable', line]);
    } else if (/Memory Encryption Features active:.*\bSME\b/.test(line)) {
      out.push(['sme', 'enabled', line]);
    } else if (/virt\/tdx: (TDX-Module|module) initialized\b/i.test(line)) {
      out.push(['tdx', 'enabled', line]);
    } else if (/virt\/tdx: .*(initialization failed|disabled|not supported)/i.test(line)) {
      out.push(['tdx', 'unavailable', line]);
    } else if (/virt\/tdx: BIOS enabled/.test(line)) {
      out.push(['tdx', 'capable', line]);
    } else if (/x86\/tme: not enabled by BIOS/.test(line)) {
      out.push(['tme', 'unavailable', line]);
    } else if (/x86\/tme: enabled by BIOS/.test(line)) {
      out.push(['tme', 'enabled', line]);
    } else if (/\bsgx: .*(disabled|not supported)/i.test(line)) {
      out.push(['sgx', 'unavailable', line]);
    } else if (/\bsgx: EPC section/.test(line)) {
      out.push(['sgx', 'enabled', line]);
    }
  }
  return out;
}

function qmpEvidence(q: NonNullable<CcInputs['qmp']>): Found[] {
  const out: Found[] = [];
  const underTcg = q.kvm === false;
  const read = (
    f: CcFeature,
    cmd: string,
    o: QmpOutcome | undefined,
    describe: (ret: Record<string, unknown>) => string,
  ) => {
    if (!o) return;
    if ('return' in o) {
      const ret = (o.return && typeof o.return === 'object' ? o.return : {}) as Record<string, unknown>;
      const usable = f !== 'sgx' || ret.sgx !== false;
      out.push([f, usable ? 'enabled' : 'unavailable', `QMP ${cmd}: ${describe(ret)}`]);
    } else if (underTcg || o.error.class === 'CommandNotFound') {
      out.push([
        f,
        'inconclusive',
        `QMP ${cmd}: ${o.error.desc}${underTcg ? ' (QEMU ran under TCG: it cannot say what KVM could do)' : ''}`,
      ]);
    } else {
      out.push([f, 'unavailable', `QMP ${cmd}: ${o.error.desc}`]);
    }
  };
  read(
    'sev',
    'query-sev-capabilities',
    q.sevCapabilities,
    (r) =>
      `QEMU can launch SEV guests (cbitpos ${String(r.cbitpos)}, reduced-phys-bits ${String(r['reduced-phys-bits'])})`,
  );
  read(
    'sgx',
    'query-sgx-capabilities',
    q.sgxCapabilities,
    (r) => `sgx=${String(r.sgx)} sgx1=${String(r.sgx1)} sgx2=${String(r.sgx2)} flc=${String(r.flc)}`,
  );
  return out;
}

/** libvirt's view: `<sev|sgx|tdx supported='yes|no'>` under <features>, and the <launchSecurity> sectype values. */
export function domcapsEvidence(xml: string): Found[] {
  const out: Found[] = [];
  const features = /<features>([\s\S]*)<\/features>/.exec(xml)?.[1] ?? '';
  for (const [tag, f] of [
    ['sev', 'sev'],
    ['sgx', 'sgx'],
    ['tdx', 'tdx'],
  ] as Array<[string, CcFeature]>) {
    const m = new RegExp(`<${tag}\\s+supported='(yes|no)'`).exec(features);
    if (m)
      out.push([f, m[1] === 'yes' ? 'enabled' : 'unavailable', `virsh domcapabilities: <${tag} supported='${m[1]}'>`]);
  }
  const launch = /<launchSecurity\s+supported='yes'>([\s\S]*?)<\/launchSecurity>/.exec(features)?.[1] ?? '';
  for (const v of launch.matchAll(/<value>([\w-]+)<\/value>/g)) {
    const f = v[1] === 'sev' ? 'sev' : v[1] === 'sev-snp' ? 'sev-snp' : v[1] === 'tdx' ? 'tdx' : undefined;
    if (f) out.push([f, 'enabled', `virsh domcapabilities: <launchSecurity> sectype ${v[1]}`]);
  }
  return out;
}

/** The features a plan lists that the host does not have enabled, each with its state. */
export function missingCcFeatures(
  facts: readonly CcFact[],
  required: readonly string[],
): Array<{ feature: string; state: CcState | 'not a known feature' }> {
  return required.flatMap((name): Array<{ feature: string; state: CcState | 'not a known feature' }> => {
    const fact = facts.find((f) => f.feature === name);
    if (!fact) return [{ feature: name, state: 'not a known feature' as const }];
    return fact.state === 'enabled' ? [] : [{ feature: name, state: fact.state }];
  });
}
