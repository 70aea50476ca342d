import type { JsonSchema, PlanPart } from '../../src/suite-api/plan-part.ts';

/**
 * What the host-os suite reads of a plan: keys of `require:`. The schema validates them before any host is
 * contacted (`hwqual validate`); the interface below types them for the suite (require.ts). Add a key in both.
 */
declare module '../../src/suite-api/index.ts' {
  interface PlanRequire {
    /** Version ranges: `>=7.2`, `>=7.2 <10`, `=8.0.0` (a bare number is `=`). */
    qemu?: string | number;
    libvirt?: string | number;
    kernel?: string | number;
    /** OpenSSH (`ssh -V`) and cryptsetup (`cryptsetup --version`) version ranges. */
    openssh?: string | number;
    cryptsetup?: string | number;
    os?: { id?: string; versionId?: string | number };
    /** false: do not require /dev/kvm and a kvm module (required by default). */
    kvm?: boolean;
    nested?: boolean;
    /** false: do not require IOMMU groups (required by default). */
    iommu?: boolean;
    /** Minimum number of huge pages, or { min, sizeKiB }. */
    hugepages?: number | { min?: number; sizeKiB?: number };
    kernelCmdline?: string | string[];
    vulnerabilities?: { allow?: string[] };
  }
}

const versionRange: JsonSchema = {
  description: 'version range: >=, >, <=, <, = (several separated by spaces, all must hold), e.g. ">=7.2 <10"',
  anyOf: [
    {
      title: 'a version range such as ">=7.2" or ">=7.2 <10"',
      type: 'string',
      pattern: '^\\s*(?:(?:>=|<=|>|<|==?)?\\s*v?\\d+(?:\\.\\d+)*[\\s,]*)+$',
    },
    { type: 'number', minimum: 0 },
  ],
};

const part: PlanPart = {
  suite: 'host-os',
  require: {
    qemu: versionRange,
    libvirt: versionRange,
    kernel: versionRange,
    openssh: { ...versionRange, description: `the host's OpenSSH (ssh -V), ${versionRange.description}` },
    cryptsetup: {
      ...versionRange,
      description: `the host's cryptsetup (cryptsetup --version), ${versionRange.description}`,
    },
    os: {
      description: 'the /etc/os-release the host must have',
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        id: { description: 'ID= of /etc/os-release, e.g. debian', type: 'string', pattern: '^[a-z0-9._-]+$' },
        versionId: { description: 'VERSION_ID= of /etc/os-release, e.g. "12"', type: ['string', 'number'] },
      },
    },
    kvm: { description: 'false: do not require /dev/kvm and a kvm module', type: 'boolean' },
    nested: { description: 'require nested virtualisation on in kvm_intel/kvm_amd', type: 'boolean' },
    iommu: { description: 'false: do not require an enabled IOMMU', type: 'boolean' },
    hugepages: {
      description: 'huge pages the host must have reserved: a count, or { min, sizeKiB }',
      anyOf: [
        { type: 'integer', minimum: 0 },
        {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            min: { type: 'integer', minimum: 0 },
            sizeKiB: { type: 'integer', minimum: 4, description: 'e.g. 2048 or 1048576' },
          },
        },
      ],
    },
    kernelCmdline: {
      description: 'key=value (must match, the last one given wins) or a bare key (any value)',
      anyOf: [
        { type: 'string', minLength: 1 },
        { type: 'array', items: { type: 'string', minLength: 1 } },
      ],
    },
    vulnerabilities: {
      description: 'CPU vulnerabilities the host may have unmitigated',
      type: 'object',
      additionalProperties: false,
      properties: {
        allow: {
          description: 'entries of /sys/devices/system/cpu/vulnerabilities allowed to read "Vulnerable"',
          type: 'array',
          items: { type: 'string', pattern: '^[a-z0-9_]+$' },
        },
      },
    },
  },
};

export default part;
