import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../src/report/write.ts';
import { applySignoff } from '../../src/report/signoff.ts';
import { everyStatus, hostileResults, XSS } from '../unit/report-fixtures.ts';

/** report.html in real headless Chromium (Debian package), driven by playwright-core. */
const ARTIFACTS = path.resolve('reports/test-artifacts/report-browser');
let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'hwqual-browser-'));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(name: string, results: ReturnType<typeof everyStatus>) {
  const out = path.join(dir, name);
  const written = await writeReports(out, applySignoff(results), { reporters: ['html'] });
  expect(written.failures).toEqual([]);
  const page = await browser.newPage();
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const url = pathToFileURL(path.join(out, 'report.html')).href;
  await page.goto(url, { waitUntil: 'load' });
  return { page, url, requests, dialogs };
}

describe('report.html in Chromium', () => {
  it('shows the verdict and the matrix, makes no request beyond itself, and is saved as a screenshot', async () => {
    const { page, url, requests } = await open('every-status', everyStatus());
    await expect.poll(() => page.locator('[data-verdict]').isVisible()).toBe(true);
    expect(await page.locator('[data-verdict]').innerText()).toBe('not-qualified');
    expect(await page.locator('table.matrix').isVisible()).toBe(true);
    expect(await page.locator('table.matrix td.cell').count()).toBe(4);
    expect(await page.locator('table.matrix td.tone-warn').innerText()).toContain('1 waived');
    expect(await page.locator('#failures details[open] article').count()).toBe(4); // 3 failing + 1 waived
    expect(await page.locator('svg.chart').first().isVisible()).toBe(true);
    expect(requests).toEqual([url]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'report.png'), fullPage: true });
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
    expect(await page.locator('#matrix th.host').innerText()).toContain(`node-${XSS}`);
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
