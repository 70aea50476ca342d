import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../src/report/write.ts';
import { applySignoff } from '../../src/report/signoff.ts';
import type { RunResults } from '../../src/model/result.ts';
import { everyStatus, host, hostileResults, kase, results, XSS } from '../unit/report-fixtures.ts';
import { tempDir } from '../support/temp-dir.ts';

/** report.html in real headless Chromium (Debian package), driven by playwright-core. */
const ARTIFACTS = path.resolve('reports/test-artifacts/report-browser');
let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = tempDir('hwqual-browser-');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(name: string, results: RunResults, viewport?: { width: number; height: number }) {
  const out = path.join(dir, name);
  const written = await writeReports(out, applySignoff(results), { reporters: ['html'] });
  expect(written.failures).toEqual([]);
  const page = await browser.newPage(viewport ? { viewport } : {});
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const url = pathToFileURL(path.join(out, 'report.html')).href;
  await page.goto(url, { waitUntil: 'load' });
  return { page, url, requests, dialogs, file: path.join(out, 'report.html') };
}

/**
 * A fleet: 10,000 hosts in 4 hardware generations, avx2 missing on every gen2 host, one host timing out, a tenth of
 * gen4 flaky (in memory; the scale benchmark checks its replayed 10,000-host run the same way, bench/scale-browser.ts).
 */
function fleet(): RunResults {
  const hosts = Array.from({ length: 10_000 }, (_, i) =>
    host(`host-${String(i + 1).padStart(5, '0')}`, { labels: { hardware: `gen${(i % 4) + 1}`, rack: `r${i % 40}` } }),
  );
  const cases = hosts.flatMap((h, i) =>
    ['kernel-release', 'cpu-flag-avx2', 'dev-kvm'].map((caseId) => {
      const failing = caseId === 'cpu-flag-avx2' && h.labels.hardware === 'gen2';
      const timeout = caseId === 'dev-kvm' && i === 7;
      return kase({
        status: failing ? 'failed' : timeout ? 'error' : caseId === 'dev-kvm' && i % 40 === 3 ? 'flaky' : 'passed',
        suite: 'host-checks',
        caseId,
        host: h.name,
        transcript: `transcripts/${h.name}.txt`,
        ...(failing && { message: 'cpu-flag-avx2: grep exited 1', expected: 'exit 0', actual: 'exit 1' }),
        ...(timeout && { errorCode: 'E_TIMEOUT', message: 'timed out after 120 s' }),
      });
    }),
  );
  return results(cases, hosts);
}

describe('report.html in Chromium', () => {
  it('shows the verdict and the matrix, makes no request beyond itself, and is saved as a screenshot', async () => {
    const { page, url, requests } = await open('every-status', everyStatus());
    await expect.poll(() => page.locator('[data-verdict]').isVisible()).toBe(true);
    expect(await page.locator('[data-verdict]').innerText()).toBe('not-qualified');
    expect(await page.locator('table.matrix.groups').isVisible()).toBe(true);
    expect(await page.locator('table.matrix.groups td.cell').count()).toBe(2); // one group (rack r1) × 2 suites
    expect(await page.locator('table.matrix.hosts td.cell').count()).toBe(4); // its drill-down: 2 hosts × 2 suites
    expect(await page.locator('table.matrix.hosts td.tone-warn').innerText()).toContain('1 waived');
    expect(await page.locator('#failures details[open] article').count()).toBe(4); // 3 failing + 1 waived
    expect(await page.locator('svg.chart').first().isVisible()).toBe(true);
    expect(requests).toEqual([url]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'report.png'), fullPage: true });
    await page.close();
  });

  it('a fleet of 10,000 hosts: verdict, grouped failures and the matrix by hardware on the first screen', async () => {
    const viewport = { width: 1366, height: 900 };
    const { page, file } = await open('fleet', fleet(), viewport);
    const bytes = statSync(file).size;
    expect(bytes).toBeLessThan(5 << 20);
    expect(await page.locator('[data-verdict]').innerText()).toBe('not-qualified');
    // 2,500 gen2 hosts in one card, one timeout; the flaky ones (250) in one card of the collapsed flaky list
    expect(await page.locator('#failures details[open] article').count()).toBe(2);
    expect(await page.locator('#failures details:not([open]) article').textContent()).toContain('on 250 hosts');
    expect(await page.locator('#failures article').first().innerText()).toContain('on 2,500 hosts');
    expect(await page.locator('#failures details.more-hosts').first().innerText()).toContain('and 2,490 more hosts');
    expect(await page.locator('table.matrix.groups tbody tr').count()).toBe(4);
    for (const selector of ['[data-verdict]', '#failures article', 'table.matrix.groups']) {
      const box = (await page.locator(selector).first().boundingBox())!;
      expect(box.y, `${selector} on the first screen`).toBeLessThan(viewport.height - 40);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'report-fleet-first-screen.png') });
    await page.close();
  });

  it('runs no script from host-derived fields and shows the markup as text', async () => {
    const { page, url, requests, dialogs } = await open('hostile', hostileResults());
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('img').count()).toBe(0);
    expect(
      await page
        .locator('b')
        .filter({ hasText: /^bold$/ })
        .count(),
    ).toBe(0); // the payload's <b>bold</b> is not an element
    expect(await page.locator('#hosts th.host').innerText()).toContain(`node-${XSS}`);
    expect(await page.locator('#provenance').innerText()).toContain(XSS);
    expect(await page.locator('#failures').innerText()).toContain(XSS);
    const chartTexts = await page.locator('svg.chart text').allTextContents();
    expect(chartTexts).toContain(`downtime${XSS}`); // a chart title from a metric name, shown as text
    expect(chartTexts.some((t) => t.startsWith('fail-<script>window.__pwned=1</script>'))).toBe(true);
    // Artifact links stay relative files; the javascript: one is a harmless relative path.
    const hrefs = await page.locator('#failures a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(hrefs.every((h) => h.startsWith('file://'))).toBe(true);
    expect(requests).toEqual([url]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'report-hostile.png'), fullPage: true });
    await page.close();
  });
});
