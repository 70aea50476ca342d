import { CC_FEATURES, type CcFeature, type JsonSchema, type PlanPart } from '../../src/suite-api/plan-part.ts';

/** What the encryption suite reads of a plan (schema validated before any host is contacted; types for the suite). */
declare module '../../src/suite-api/index.ts' {
  interface PlanRequire {
    /** Confidential-computing features that must be enabled on every host (else only reported). */
    cc?: CcFeature | CcFeature[];
    crypto?: {
      /** Flags that must be present (default: aes, vaes, vpclmulqdq, sha_ni, gfni; Arm: aes, pmull, sha1, sha2). */
      cpuFlags?: string[];
      /** Minimum `cryptsetup benchmark` aes-xts 512b encryption / decryption, MiB/s. */
      aesXtsEncryptMiBs?: number;
      aesXtsDecryptMiBs?: number;
      /**
       * Minimum aes-xts 512b figures inside every guest-luks guest, MiB/s: judged only when the guest ran under KVM
       * (TCG emulates AES-NI, so its figures are recorded with "not judged").
       */
      guestAesXtsEncryptMiBs?: number;
      guestAesXtsDecryptMiBs?: number;
      /** false: do not require an accelerated xts(aes) kernel driver. */
      acceleratedXts?: boolean;
    };
  }
  interface PlanSettings {
    /** Opt-in: the LUKS round trip and benchmark inside a Debian 12 guest, per CPU model. */
    encryption?: { guest?: boolean; cpuModels?: string[]; append?: string };
  }
}

const cc: JsonSchema = { enum: [...CC_FEATURES] };

const part: PlanPart = {
  suite: 'encryption',
  require: {
    cc: {
      description: 'confidential-computing features that must be enabled on every host',
      anyOf: [cc, { type: 'array', uniqueItems: true, items: cc }],
    },
    crypto: {
      description: 'crypto flags, the xts(aes) driver and cryptsetup benchmark minimums',
      type: 'object',
      additionalProperties: false,
      properties: {
        cpuFlags: {
          description:
            'CPU flags the host must show (default: aes, vaes, vpclmulqdq, sha_ni, gfni on x86_64; aes, pmull, sha1, ' +
            'sha2 on aarch64)',
          type: 'array',
          items: { type: 'string', pattern: '^[a-z0-9_]+$' },
        },
        aesXtsEncryptMiBs: {
          description: 'minimum aes-xts 512-bit encryption throughput of `cryptsetup benchmark`, MiB/s',
          type: 'number',
          exclusiveMinimum: 0,
        },
        aesXtsDecryptMiBs: {
          description: 'minimum aes-xts 512-bit decryption throughput of `cryptsetup benchmark`, MiB/s',
          type: 'number',
          exclusiveMinimum: 0,
        },
        guestAesXtsEncryptMiBs: {
          description:
            'minimum aes-xts 512-bit encryption of `cryptsetup benchmark` inside every guest-luks guest, MiB/s; ' +
            'judged only under KVM (under TCG recorded as "not judged (TCG emulates AES-NI)")',
          type: 'number',
          exclusiveMinimum: 0,
        },
        guestAesXtsDecryptMiBs: {
          description:
            'minimum aes-xts 512-bit decryption of `cryptsetup benchmark` inside every guest-luks guest, MiB/s; ' +
            'judged only under KVM (under TCG recorded as "not judged (TCG emulates AES-NI)")',
          type: 'number',
          exclusiveMinimum: 0,
        },
        acceleratedXts: {
          description: "whether the kernel's xts(aes) must be an accelerated driver, not generic C (default true)",
          type: 'boolean',
        },
      },
    },
  },
  settings: {
    encryption: {
      description: 'guest: true boots the Debian 12 image per CPU model (default models: cpuModels, else max)',
      type: 'object',
      additionalProperties: false,
      properties: {
        guest: { description: 'run the in-guest LUKS case (guest-luks[cpuModel])', type: 'boolean' },
        cpuModels: { $ref: '#/definitions/cpuModels', description: 'the CPU models guest-luks boots' },
        append: {
          description:
            'extra kernel parameters for the guest-luks guests (e.g. `clearcpuid=aes`: the guest kernel hides a flag ' +
            'the model gives, which guest-luks must report)',
          type: 'string',
          pattern: '^[^\\n]*$',
        },
      },
    },
  },
};

export default part;
