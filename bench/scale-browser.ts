// report.html of a large run in real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core): it
// opens, and the verdict, the grouped failures and the matrix are on the first screen. The screenshot is stored.
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

export interface FirstScreen {
  /** From navigation start to the load event, ms. */
  loadMs: number;
  verdict: string;
  /** Top edge of each part (px from the page top); the first screen is `viewport` high. */
  tops: { verdict: number; failures: number; matrix: number };
  viewport: { width: number; height: number };
  onFirstScreen: boolean;
  failureCards: number;
  matrixRows: number;
  requests: number;
}

export async function checkFirstScreen(htmlFile: string, screenshot: string): Promise<FirstScreen> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const viewport = { width: 1366, height: 900 };
    const page = await browser.newPage({ viewport });
    let requests = 0;
    page.on('request', () => requests++);
    const t0 = performance.now();
    await page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'load', timeout: 120_000 });
    const loadMs = performance.now() - t0;
    const top = async (selector: string) => (await page.locator(selector).first().boundingBox())?.y ?? Number.NaN;
    const tops = {
      verdict: await top('[data-verdict]'),
      failures: await top('#failures article'),
      matrix: await top('table.matrix.groups'),
    };
    await page.screenshot({ path: screenshot });
    return {
      loadMs,
      verdict: await page.locator('[data-verdict]').innerText(),
      tops,
      viewport,
      onFirstScreen: Object.values(tops).every((y) => y >= 0 && y < viewport.height - 40),
      failureCards: await page.locator('#failures article').count(),
      matrixRows: await page.locator('table.matrix.groups tbody tr').count(),
      requests,
    };
  } finally {
    await browser.close();
  }
}
