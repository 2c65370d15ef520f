/**
 * Headless Chromium driven by playwright-core, for the UI tests: the system's when there, else the one
 * npm installed (testkit's findChromium; the test run's global setup finds it once and names it in
 * PAYDESK_CHROMIUM for every worker).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findChromium } from '@paydesk/testkit';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: await findChromium(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

export const SCREENSHOTS = join(import.meta.dirname, '..', '..', '..', 'docs', 'screenshots');

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

const require = createRequire(import.meta.url);

/**
 * Renders the first page of a PDF the way a viewer shows it (Mozilla's pdf.js inside the browser,
 * served from the same origin by request interception) and photographs it for docs/screenshots.
 */
export async function shotPdfPage(browser: Browser, origin: string, pdf: Uint8Array, name: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 1300 } });
  try {
    const files: Record<string, string> = {
      '/__pdfjs/pdf.mjs': require.resolve('pdfjs-dist/build/pdf.mjs'),
      '/__pdfjs/pdf.worker.mjs': require.resolve('pdfjs-dist/build/pdf.worker.mjs'),
    };
    await page.route(`${origin}/__pdfjs/**`, async (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/__pdfjs/report.pdf') return route.fulfill({ body: Buffer.from(pdf), contentType: 'application/pdf' });
      if (path === '/__pdfjs/view.html')
        return route.fulfill({
          body: '<!doctype html><body style="margin:0;background:#888"><canvas id="c"></canvas></body>',
          contentType: 'text/html',
        });
      const file = files[path];
      return file ? route.fulfill({ body: readFileSync(file), contentType: 'text/javascript' }) : route.fulfill({ status: 404 });
    });
    await page.goto(`${origin}/__pdfjs/view.html`);
    // Runs in the page, where the DOM exists; written as text because this file is compiled for Node.
    await page.evaluate(`(async () => {
      const pdfjs = await import('/__pdfjs/pdf.mjs');
      pdfjs.GlobalWorkerOptions.workerSrc = '/__pdfjs/pdf.worker.mjs';
      const doc = await pdfjs.getDocument('/__pdfjs/report.pdf').promise;
      const first = await doc.getPage(1);
      const viewport = first.getViewport({ scale: 1.6 });
      const canvas = document.getElementById('c');
      canvas.width = viewport.width;
      canvas.height = viewport.height;
      await first.render({ canvas, viewport }).promise;
    })()`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.locator('#c').screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  } finally {
    await page.close();
  }
}
