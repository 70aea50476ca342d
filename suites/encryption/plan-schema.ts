import { CC_FEATURES, type CcFeature, type JsonSchema, type PlanPart } from '../../src/suite-api/index.ts';

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
      /** false: do not require an accelerated xts(aes) kernel driver. */
      acceleratedXts?: boolean;
    };
  }
  interface PlanSettings {
    /** Opt-in: the LUKS round trip and benchmark inside a Debian 12 guest, per CPU model. */
    encryption?: { guest?: boolean; cpuModels?: string[] };
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
        cpuFlags: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9_]+$' } },
        aesXtsEncryptMiBs: { type: 'number', exclusiveMinimum: 0 },
        aesXtsDecryptMiBs: { type: 'number', exclusiveMinimum: 0 },
        acceleratedXts: { type: 'boolean' },
      },
    },
  },
  settings: {
    encryption: {
      description: 'guest: true boots the Debian 12 image per CPU model (default models: cpuModels, else max)',
      type: 'object',
      additionalProperties: false,
      properties: {
        guest: { type: 'boolean' },
        cpuModels: { $ref: '#/definitions/cpuModels' },
      },
    },
  },
};

export default part;
