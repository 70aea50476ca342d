import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  STATISTICS,
  STRATEGIES,
  unmappableForLibvirt,
  type JsonSchema,
  type NovaSettings,
  type PlanPart,
  type PlanProblem,
  type Strategy,
} from '../../src/suite-api/plan-part.ts';
import { GATED_FIGURES, type Gates } from './gates.ts';

/**
 * What the live-migration suite reads of a plan: the `migration:` block (or `settings.migration`). The schema below
 * validates it before any host is contacted; the interface types it for settings.ts. A new key is one property in
 * each, here.
 */
declare module '../../src/suite-api/index.ts' {
  interface PlanSettings {
    migration?: MigrationBlock;
  }
}

export interface MigrationBlock {
  pairs?: 'all-directions' | Array<[string, string]>;
  strategies?: Strategy[];
  'ping-pong'?: number;
  repeat?: number;
  gates?: Gates;
  gatesByStrategy?: Partial<Record<Strategy, Gates>>;
  guest?: { memoryMiB?: number; wssMiB?: number; dirtyMiBps?: number };
  cpuModel?: string;
  machine?: string;
  'max-bandwidth'?: number;
  'downtime-limit'?: number;
  'postcopy-after-pass'?: number;
  deadline?: number;
  stall?: number;
  nova?: Partial<NovaSettings>;
  'multifd-channels'?: number;
  'xbzrle-cache-size'?: number;
  'cpu-throttle-initial'?: number;
  'cpu-throttle-increment'?: number;
  'max-cpu-throttle'?: number;
  'throttle-trigger-threshold'?: number;
  'cleanup-wait'?: number;
  recovery?: { 'link-wait'?: number; 'resume-timeout'?: number };
  'max-postcopy-bandwidth'?: number;
  /** A directory every host of the pairs sees as the same storage (Nova's instances path on NFS/Ceph). */
  sharedStorage?: string;
  disk?: MigrationDisk;
  fault?: {
    kind: 'kill-destination' | 'link-down';
    after?: 'start' | 'postcopy';
    at?: number;
    'down-for'?: number;
    'lab-dir'?: string;
  };
}

/** The migrated guest's data disk (an image on sharedStorage), and the variants that exercise it. */
export interface MigrationDisk {
  luks?: boolean;
  sizeMiB?: number;
  wrongKey?: boolean;
  guestLuks?: boolean;
}

const num = (description: string, minimum: number, extra: JsonSchema = {}): JsonSchema => ({
  description,
  type: 'number',
  minimum,
  ...extra,
});
const int = (description: string, minimum: number, maximum?: number): JsonSchema => ({
  description,
  type: 'integer',
  minimum,
  ...(maximum !== undefined && { maximum }),
});
const pct = (description: string, maximum: number) => int(`${description} (%, auto-converge)`, 1, maximum);
const obj = (properties: Record<string, JsonSchema>, extra: JsonSchema = {}): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  properties,
  ...extra,
});
const host = { type: 'string', pattern: '^[a-z0-9-]+$' };

const gateSet = (description: string): JsonSchema =>
  obj(
    Object.fromEntries(
      GATED_FIGURES.map((f) => [
        f,
        {
          description: `statistic (${STATISTICS.join(', ')}; nearest-rank) → upper bound on ${f} over the samples`,
          type: 'object',
          minProperties: 1,
          propertyNames: { enum: [...STATISTICS] },
          additionalProperties: { type: 'number', exclusiveMinimum: 0 },
        },
      ]),
    ),
    { description },
  );

const migration: JsonSchema = obj(
  {
    pairs: {
      description: 'all-directions (default), or [from, to] host pairs; old→new and new→old are separate cases',
      anyOf: [
        { const: 'all-directions' },
        { type: 'array', minItems: 1, items: { type: 'array', minItems: 2, maxItems: 2, items: host } },
      ],
    },
    strategies: {
      description: `how each pair migrates, one case per strategy (default precopy): ${STRATEGIES.join(', ')}`,
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { enum: [...STRATEGIES] },
    },
    'ping-pong': int('migrations per case: 2 = A→B→A', 1, 100),
    repeat: int('runs per case, each with a fresh guest: every completed hop is one sample of its figures', 1, 100),
    gates: gateSet(
      'release gates for every migrate case: figure → statistic → upper bound, judged per direction; a miss fails ' +
        'the case (docs/live-migration.md)',
    ),
    gatesByStrategy: {
      description: `strategy (${STRATEGIES.join(', ')}) → gates for its cases, overriding gates statistic by statistic`,
      type: 'object',
      propertyNames: { enum: [...STRATEGIES] },
      additionalProperties: gateSet('gates for the strategy'),
    },
    guest: obj(
      {
        memoryMiB: int('guest RAM (MiB)', 64, 1_048_576),
        wssMiB: num('working set the workload rewrites (MiB)', 1),
        dirtyMiBps: num('how fast the workload dirties it (MiB/s)', 0),
      },
      { description: 'the workload guest that is migrated (heartbeat and stamped RAM pages)' },
    ),
    cpuModel: { description: 'default: the pool baseline of the hosts the pairs name', type: 'string', minLength: 1 },
    machine: { description: 'QEMU machine type (default: the pool baseline)', type: 'string', minLength: 1 },
    'max-bandwidth': num('MiB/s (QEMU default 128)', 1),
    'downtime-limit': num('ms', 1),
    'postcopy-after-pass': int('switch to post-copy after this pass', 1),
    deadline: num('s, then cancelled as "does not converge"', 1),
    stall: num('s without a byte moving → "stalled"', 1),
    // Nova's [libvirt] options, with Nova's own minimums.
    nova: obj(
      {
        downtimeMs: int('live_migration_downtime (ms)', 100),
        steps: int('live_migration_downtime_steps', 3),
        delaySecPerGiB: int('live_migration_downtime_delay (s per GiB)', 3),
        completionTimeoutSecPerGiB: int('live_migration_completion_timeout (s per GiB, 0 = never)', 0),
        timeoutAction: {
          description: 'live_migration_timeout_action: what Nova does at the completion timeout',
          enum: ['abort', 'force_complete'],
        },
        permitPostCopy: { description: 'live_migration_permit_post_copy', type: 'boolean' },
        permitAutoConverge: { description: 'live_migration_permit_auto_converge', type: 'boolean' },
      },
      { description: "Nova's [libvirt] live-migration options: what Nova would do with this migration" },
    ),
    'multifd-channels': int('multifd channels', 1, 255),
    'xbzrle-cache-size': num('MiB', 1),
    'cpu-throttle-initial': pct('initial throttle', 99),
    'cpu-throttle-increment': pct('throttle increment', 99),
    'max-cpu-throttle': pct('largest throttle', 99),
    'throttle-trigger-threshold': pct('dirty-rate threshold that triggers throttling', 100),
    'cleanup-wait': num('s a case waits for a silent host before its cleanup is left pending', 0),
    recovery: obj(
      {
        'link-wait': num('s post-copy recovery waits for the destination', 1),
        'resume-timeout': num('s the resumed migration may take', 1),
      },
      { description: 'post-copy recovery after a link fault (migrate-pause, migrate-recover, resume)' },
    ),
    'max-postcopy-bandwidth': num('MiB/s', 1),
    sharedStorage: {
      description:
        'a directory every host of the pairs sees as the same storage (Nova: the instances path on NFS/Ceph); ' +
        'needed by disk; checked as Nova does before any guest boots (a file made on one host must appear on the ' +
        'other); on the lab-in-a-box: <lab>/shared',
      type: 'string',
      pattern: '^/',
    },
    disk: obj(
      {
        luks: {
          description:
            "the data disk is a LUKS qcow2 (QEMU's encryption), each host's QEMU reading the key from that host's " +
            'own 0600 file (default false: a plain qcow2)',
          type: 'boolean',
        },
        sizeMiB: int('size of the data disk (MiB, default 64)', 32, 65_536),
        wrongKey: {
          description:
            'add migrate-wrong-key per pair: the destination gets the wrong key and must refuse at start, before ' +
            'migrate is sent (needs luks)',
          type: 'boolean',
        },
        guestLuks: {
          description:
            'add migrate-guest-luks per pair: a Debian 12 guest with a LUKS2 volume of its own on its data disk, ' +
            'under write load, migrated and its stamps verified on the destination',
          type: 'boolean',
        },
      },
      {
        description:
          'a data disk for the migrated guest on sharedStorage, stamped and verified by the workload across each ' +
          'hop (docs/live-migration.md "Encrypted disks")',
      },
    ),
    fault: obj(
      {
        kind: {
          description: 'kill the destination QEMU, or cut its lab link',
          enum: ['kill-destination', 'link-down'],
        },
        after: { description: 'counted from the migration start or the post-copy switch', enum: ['start', 'postcopy'] },
        at: num('s after `after`', 0),
        'down-for': num('s the link stays down (link-down)', 0),
        'lab-dir': { description: 'the lab-in-a-box folder (link-down)', type: 'string', minLength: 1 },
      },
      {
        description: 'a fault injected into the first migration of each case (an experiment, not a qualification)',
        required: ['kind'],
        if: { properties: { kind: { const: 'link-down' } } },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a promise
        then: { required: ['lab-dir'] },
      },
    ),
  },
  {
    description:
      "the live-migration suite's settings (pairs, strategies, guest, tuning, Nova, faults): docs/live-migration.md",
  },
);

const part: PlanPart = {
  suite: 'live-migration',
  settings: { migration },
  topLevel: ['migration'],
  check({ plan, hosts, at }) {
    const m = plan.settings.migration;
    if (!m) return [];
    const base = at.settings('migration');
    const names = hosts.map((h) => h.name);
    const problems: PlanProblem[] = [];
    if (m.pairs === undefined || m.pairs === 'all-directions') {
      if (names.length < 2 && plan.suites.includes('live-migration'))
        problems.push({
          path: m.pairs ? `${base}/pairs` : base,
          message: `all-directions needs two hosts or more; the plan selects ${names.join(', ')}`,
        });
    } else {
      const seen = new Set<string>();
      m.pairs.forEach((pair, i) => {
        pair.forEach((h, j) => {
          if (!names.includes(h))
            problems.push({
              path: `${base}/pairs/${i}/${j}`,
              message: `"${h}" is not a host the plan selects (${names.join(', ')})`,
            });
        });
        if (pair[0] === pair[1])
          problems.push({ path: `${base}/pairs/${i}`, message: `migrates ${pair[0]} to itself` });
        if (seen.has(pair.join('→')))
          problems.push({ path: `${base}/pairs/${i}`, message: `${pair.join(' → ')} is listed twice` });
        seen.add(pair.join('→'));
      });
    }
    if (m.disk && !m.sharedStorage)
      problems.push({
        path: `${base}/disk`,
        message: 'disk migration needs settings.migration.sharedStorage (a directory every host of the pairs sees)',
      });
    if (m.disk?.wrongKey && !m.disk.luks)
      problems.push({ path: `${base}/disk/wrongKey`, message: 'wrongKey needs luks: true (a key to get wrong)' });
    if (plan.settings.driver === 'libvirt')
      for (const u of unmappableForLibvirt(m))
        problems.push({ path: `${base}/${u.key}`, message: `has no equivalent on driver libvirt: ${u.why}` });
    if (plan.settings.driver === 'libvirt' && m.disk)
      problems.push({
        path: `${base}/disk`,
        message:
          'has no equivalent on driver libvirt: the data disk, migrate-wrong-key and migrate-guest-luks are driven ' +
          'through QMP on the raw QEMU path only',
      });
    const dir = m.fault?.['lab-dir'];
    if (m.fault?.kind === 'link-down' && dir && !existsSync(join(resolve(dir), 'state.json')))
      problems.push({
        path: `${base}/fault/lab-dir`,
        message: `${resolve(dir)} holds no lab-in-a-box (no state.json): link-down only runs on a lab hwqual made`,
      });
    return problems;
  },
};

export default part;
