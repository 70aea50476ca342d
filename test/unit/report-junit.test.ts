import { describe, expect, it } from 'vitest';
import { buildJunit, junitCaseName } from '../../src/report/junit.ts';
import { everyStatus, host, kase, results } from './report-fixtures.ts';
import { validateXsd, xmlFile, xpath } from './report-xml-helpers.ts';

const tc = (name: string) => `//testcase[starts-with(@name,'${name}:')]`;

describe('buildJunit: shape', () => {
  const file = xmlFile(
    buildJunit(everyStatus(), {
      transcript: (c) => (c.transcript === 'transcripts/k.txt' ? '$ cat /proc/cmdline\nquiet\n' : undefined),
    }),
  );

  it('validates against the Jenkins xunit schema', () => {
    expect(validateXsd(file)).toEqual({ ok: true, stderr: expect.stringContaining('validates') });
  });

  it('has one testsuite per suite × host, in run order, with counts', () => {
    expect(xpath(file, 'count(//testsuite)')).toBe('3');
    expect(xpath(file, 'string(//testsuite[1]/@name)')).toBe('host-os@node-1');
    expect(xpath(file, 'string(//testsuite[3]/@name)')).toBe('cpu-features@node-2');
    const s1 = '//testsuite[@name="host-os@node-1"]';
    expect(['tests', 'failures', 'errors', 'skipped'].map((a) => xpath(file, `string(${s1}/@${a})`))).toEqual([
      '5',
      '1',
      '1',
      '1',
    ]);
    expect(xpath(file, 'string(/testsuites/@tests)')).toBe('7');
    expect(xpath(file, 'string(/testsuites/@errors)')).toBe('2'); // error + cancelled
    expect(xpath(file, 'string(/testsuites/@skipped)')).toBe('2'); // skipped + waived
    expect(xpath(file, `string(${s1}/@time)`)).toBe('6.17'); // 5 × 1.234 s, rounded to ms
  });

  it('names cases by id + title with classname <suite>.<host> and time in seconds', () => {
    expect(xpath(file, `string(${tc('os-release')}/@classname)`)).toBe('host-os.node-1');
    expect(xpath(file, `string(${tc('os-release')}/@name)`)).toBe('os-release: Title of os-release');
    expect(xpath(file, `string(${tc('os-release')}/@time)`)).toBe('1.234');
    expect(xpath(file, `string(${tc('vulnerability-mds')}/@classname)`)).toBe('cpu-features.node-2');
  });

  it('maps failed to <failure> with expected vs actual', () => {
    expect(xpath(file, `string(${tc('kernel-cmdline')}/failure/@message)`)).toBe('iommu=pt missing');
    expect(xpath(file, `string(${tc('kernel-cmdline')}/failure/@type)`)).toBe('assertion');
    const body = xpath(file, `string(${tc('kernel-cmdline')}/failure)`);
    expect(body).toContain('expected: iommu=pt');
    expect(body).toContain('actual:   quiet');
  });

  it('maps error and cancelled to <error> with the error code as type', () => {
    expect(xpath(file, `string(${tc('dmesg')}/error/@type)`)).toBe('E_TIMEOUT');
    expect(xpath(file, `string(${tc('dmesg')}/error/@message)`)).toBe('timed out after 30 s');
    expect(xpath(file, `string(${tc('stress')}/error/@type)`)).toBe('E_CANCELLED');
    expect(xpath(file, `count(${tc('stress')}/failure)`)).toBe('0');
  });

  it('maps skipped and waived to <skipped message>', () => {
    expect(xpath(file, `string(${tc('sev')}/skipped/@message)`)).toBe('requires cpu flag sev');
    expect(xpath(file, `string(${tc('vulnerability-mds')}/skipped/@message)`)).toBe(
      'waived: HW-1234 microcode fix scheduled in firmware 2.3 (until 2027-01-31)',
    );
  });

  it('passes flaky cases with a <flakyFailure> naming the attempt', () => {
    expect(xpath(file, `count(${tc('ntp')}/failure | ${tc('ntp')}/error | ${tc('ntp')}/skipped)`)).toBe('0');
    expect(xpath(file, `string(${tc('ntp')}/flakyFailure/@message)`)).toContain('passed on attempt 2');
  });

  it('puts host facts, labels and metrics in the suite properties', () => {
    const prop = (suite: string, name: string) =>
      xpath(file, `string(//testsuite[@name="${suite}"]/properties/property[@name="${name}"]/@value)`);
    expect(prop('host-os@node-1', 'os')).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(prop('host-os@node-1', 'kernel')).toBe('6.1.0-18-amd64');
    expect(prop('host-os@node-1', 'cpu')).toBe('Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz');
    expect(prop('host-os@node-1', 'qemu')).toBe('7.2.9');
    expect(prop('host-os@node-1', 'label.rack')).toBe('r1');
    expect(prop('host-os@node-1', 'metric.os-release.bootSeconds')).toBe('41.5');
    expect(xpath(file, 'count(//testcase/properties)')).toBe('0');
  });

  it('puts the transcript text in <system-out>, and none when there is no transcript', () => {
    expect(xpath(file, `string(${tc('kernel-cmdline')}/system-out)`)).toBe('$ cat /proc/cmdline\nquiet');
    expect(xpath(file, `count(${tc('os-release')}/system-out)`)).toBe('0');
  });

  it("keeps a passing case's transcript out of <system-out>, and names the host's transcript file on the suite", () => {
    const cases = [
      kase({ status: 'passed', caseId: 'ok', transcript: 'transcripts/node-1.txt' }),
      kase({ status: 'failed', caseId: 'bad', message: 'no', transcript: 'transcripts/node-1.txt' }),
      kase({ status: 'flaky', caseId: 'retry', attempts: 2, transcript: 'transcripts/node-1.txt' }),
    ];
    const asked: string[] = [];
    const f = xmlFile(
      buildJunit(results(cases, [host('node-1')]), {
        transcript: (c) => {
          asked.push(c.caseId);
          return `text of ${c.caseId}`;
        },
      }),
    );
    expect(validateXsd(f).ok).toBe(true);
    expect(asked).toEqual(['bad', 'retry']);
    expect(xpath(f, `count(${tc('ok')}/system-out)`)).toBe('0');
    expect(xpath(f, `string(${tc('bad')}/system-out)`)).toBe('text of bad');
    expect(xpath(f, `string(${tc('retry')}/system-out)`)).toBe('text of retry');
    expect(xpath(f, 'string(//testsuite/properties/property[@name="transcripts"]/@value)')).toBe(
      'transcripts/node-1.txt',
    );
  });
});

describe('buildJunit: hostile and edge input', () => {
  const nasty = 'a\u0000b\u0001c\u0007d\u001be[31m\u000bf\u000cg\ud800h\uffffi ]]> ]]> <x>&amp; "q" \'s\'';

  it('strips XML-forbidden characters from every host-derived field and stays valid', () => {
    const h = host('node<1>', {
      labels: { 'we"ird': nasty },
      facts: { os: { prettyName: nasty }, kernel: { release: nasty } },
    });
    const c = kase({
      status: 'failed',
      host: 'node<1>',
      caseId: 'c&1',
      title: nasty,
      message: nasty,
      expected: nasty,
      actual: nasty,
      params: { image: nasty },
      transcript: 't.txt',
      metrics: { 'x\u0001y': 1 },
    });
    const s = kase({ status: 'skipped', host: 'node<1>', caseId: 'c2', message: nasty });
    const xml = buildJunit(results([c, s], [h]), { transcript: () => `out ${nasty}` });
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    const file = xmlFile(xml);
    expect(validateXsd(file).ok).toBe(true);
    expect(xpath(file, 'string(//testcase/system-out)')).toBe('out abcde[31mfghi ]]> ]]> <x>&amp; "q" \'s\'');
    expect(xpath(file, 'string(//testcase[1]/failure/@message)')).toBe('abcde[31mfghi ]]> ]]> <x>&amp; "q" \'s\'');
    expect(xpath(file, 'string(//testcase[2]/skipped/@message)')).toBe('abcde[31mfghi ]]> ]]> <x>&amp; "q" \'s\'');
  });

  it('writes a valid empty report for 0 cases', () => {
    const file = xmlFile(buildJunit(results([])));
    expect(validateXsd(file).ok).toBe(true);
    expect(xpath(file, 'string(/testsuites/@tests)')).toBe('0');
  });

  it('handles 2,000 cases across 40 suite × host groups', () => {
    const statuses = ['passed', 'failed', 'error', 'skipped', 'flaky', 'cancelled', 'waived'] as const;
    const cases = Array.from({ length: 2000 }, (_, i) =>
      kase({
        status: statuses[i % 7]!,
        suite: `suite-${i % 8}`,
        host: `node-${i % 5}`,
        caseId: `c${i}`,
        durationMs: i * 1.7777,
      }),
    );
    const file = xmlFile(
      buildJunit(
        results(
          cases,
          [0, 1, 2, 3, 4].map((i) => host(`node-${i}`)),
        ),
      ),
    );
    expect(validateXsd(file).ok).toBe(true);
    expect(xpath(file, 'count(//testsuite)')).toBe('40');
    expect(xpath(file, 'count(//testcase)')).toBe('2000');
    expect(xpath(file, 'string(/testsuites/@failures)')).toBe(
      String(cases.filter((c) => c.status === 'failed').length),
    );
  });

  it('records replayed hosts and unreachable hosts', () => {
    const h = host('node-9', {
      reachable: false,
      error: 'E_HOST_UNREACHABLE: connect ECONNREFUSED',
      replay: { from: 'profiles/r750', origin: 'recorded' },
    });
    const file = xmlFile(
      buildJunit(results([kase({ status: 'error', host: 'node-9', errorCode: 'E_HOST_UNREACHABLE' })], [h])),
    );
    expect(validateXsd(file).ok).toBe(true);
    expect(xpath(file, 'string(//property[@name="replayed-from"]/@value)')).toBe('profiles/r750');
    expect(xpath(file, 'string(//property[@name="unreachable"]/@value)')).toContain('ECONNREFUSED');
  });

  it('keeps matrix params in the case name', () => {
    expect(junitCaseName({ caseId: 'boot', params: { image: 'debian-12', cpu: 'host' }, title: 'Boots' })).toBe(
      'boot[image=debian-12,cpu=host]: Boots',
    );
  });

  it('the schema check itself rejects what the schema forbids (properties on a testcase)', () => {
    const bad =
      '<testsuites><testsuite name="a" tests="1" failures="0" errors="0"><testcase ' +
      'name="x"><properties/></testcase></testsuite></testsuites>';
    expect(validateXsd(xmlFile(bad)).ok).toBe(false);
  });
});
