// QEMU's final figures of a completed migration, on a QMP conversation recorded from a real QEMU 7.2 migration
// (fixtures/qmp/README.md): completion lands between two samples and QEMU first answers `completed` with total-time
// 0 and downtime 0; hwqual follows the migration over that conversation and must report QEMU's real figures.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConvergenceDetector, hopPassed, type HopReport } from '../../src/migration/index.ts';
import { figuresMissing, notReportedNote } from '../../src/migration/final-figures.ts';
import { followMigration } from '../../src/migration/follow.ts';
import { QmpReplayStream } from '../../src/transport/qmp-replay.ts';
import { parseQmpLog, type QmpSession } from '../../src/transport/replay-qmp-log.ts';
import { QmpClient } from '../../src/vm/qmp-client.ts';

const FIXTURE = join(import.meta.dirname, '../../fixtures/qmp/migration-completed-race-qemu-7.2.replies');
const recorded = (): QmpSession => parseQmpLog(readFileSync(FIXTURE, 'utf8'), FIXTURE)[0]!;

/** Connect hwqual's QMP client to the recorded QEMU, send the recorded `migrate`, and follow it as a hop does. */
async function follow(session: QmpSession, figuresTimeoutMs?: number) {
  const qmp = await QmpClient.connect(new QmpReplayStream(session, 'fixture'), { host: 'node-a' });
  const migrate = session.exchanges.find((x) => x.request.execute === 'migrate')!;
  await qmp.migrate(String((migrate.request.arguments as { uri: string }).uri));
  const logs: string[] = [];
  const detector = new ConvergenceDetector({ downtimeLimitMs: 300, deadlineMs: 60_000 });
  const followed = await followMigration({
    qmp,
    detector,
    t0: Date.now(),
    sampleMs: 0,
    log: (m) => logs.push(m),
    figuresTimeoutMs,
  });
  qmp.close();
  return { ...followed, logs };
}

describe("QEMU's final figures of a completed migration", () => {
  it('the recording is the defect: a `completed` answer with total-time 0 and downtime 0 before the real one', () => {
    const replies = recorded()
      .exchanges.filter((x) => x.request.execute === 'query-migrate')
      .map((x) => x.reply.return as Record<string, unknown>);
    const done = replies.filter((r) => r.status === 'completed');
    expect(done.map((r) => [r['total-time'], r.downtime])).toEqual([
      [0, 0],
      [1832, 101],
    ]);
    expect(replies.at(-3)?.status).toBe('active'); // the sample before it was still active
  });

  it('hwqual re-asks after the first `completed` answer and reports the figures QEMU filled in', async () => {
    const f = await follow(recorded());
    expect(f.info.status).toBe('completed');
    expect(f.info['total-time']).toBe(1832);
    expect(f.info.downtime).toBe(101);
    expect(f.figures).toMatchObject({ requeried: 1, notReported: [] });
    expect(f.diagnosis).toBeUndefined();
    // Both answers are kept as samples (what QEMU said, when): the one without figures, then the one with them.
    expect(f.samples.filter((s) => s.status === 'completed')).toHaveLength(2);
    expect(f.logs).toContain("completed: QEMU's final figures read 1 queries after it said completed");
  });

  it('figures QEMU never gives are not reported — never 0 — and the hop cannot pass', async () => {
    const s = recorded();
    s.exchanges.pop(); // the replay repeats its last answer: `completed`, 0, 0, for ever
    const f = await follow(s, 300);
    expect(f.figures.notReported).toEqual(['total-time', 'downtime']);
    expect(f.figures.requeried).toBeGreaterThan(3);
    expect(notReportedNote(f.figures)).toMatch(
      /^not reported by QEMU: total-time, downtime \(query-migrate still said completed without them 0\.\d s and \d+ /,
    );
    const hop = { outcome: 'completed', checks: [], notReported: f.figures.notReported } as unknown as HopReport;
    expect(hopPassed(hop)).toBe(false);
    expect(hopPassed({ ...hop, notReported: undefined })).toBe(true);
  });

  it('which figures are missing, by the answer', () => {
    expect(figuresMissing({ status: 'completed', 'total-time': 0, downtime: 0 })).toEqual(['total-time', 'downtime']);
    expect(figuresMissing({ status: 'completed' })).toEqual(['total-time', 'downtime']);
    expect(figuresMissing({ status: 'completed', 'total-time': 812 })).toEqual(['downtime']);
    // A downtime QEMU measured as 0 ms, once the times are there, is a figure.
    expect(figuresMissing({ status: 'completed', 'total-time': 812, downtime: 0 })).toEqual([]);
    expect(figuresMissing({ status: 'cancelled', 'total-time': 0 })).toEqual([]);
    expect(figuresMissing({ status: 'active', 'total-time': 0 })).toEqual([]);
  });
});
