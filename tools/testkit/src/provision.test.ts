/**
 * Issue 20 item 1: with the system's PostgreSQL and Chromium hidden, the tests' real parts come from
 * what npm installed — a cluster that starts and answers SQL, a browser that renders a page.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import pg from 'pg';
import { startTempPostgres } from './postgres.ts';
import { findChromium, npmPostgresBin } from './provision.ts';

const saved = {
  hidden: process.env['PAYDESK_NO_SYSTEM_DEPS'],
  chromium: process.env['PAYDESK_CHROMIUM'],
  pg: process.env['PAYDESK_PG_BIN'],
};

afterEach(() => {
  for (const [name, value] of [
    ['PAYDESK_NO_SYSTEM_DEPS', saved.hidden],
    ['PAYDESK_CHROMIUM', saved.chromium],
    ['PAYDESK_PG_BIN', saved.pg],
  ] as const)
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
});

function hideSystem(): void {
  process.env['PAYDESK_NO_SYSTEM_DEPS'] = '1';
  delete process.env['PAYDESK_CHROMIUM'];
  delete process.env['PAYDESK_PG_BIN'];
}

describe('the tests’ real parts from npm alone', () => {
  it('PostgreSQL: the npm package’s cluster starts in a temporary folder and answers SQL', async () => {
    hideSystem();
    const bin = npmPostgresBin();
    expect(bin).not.toBeNull();
    expect(bin?.startsWith('/usr/')).toBe(false);
    const cluster = await startTempPostgres();
    try {
      const client = new pg.Client({ connectionString: cluster.url });
      await client.connect();
      try {
        const r = await client.query<{ v: string; s: string }>("SELECT version() AS v, 'Касса' || ' ' || 12345 AS s");
        expect(r.rows[0]?.v).toMatch(/^PostgreSQL 17\./);
        expect(r.rows[0]?.s).toBe('Касса 12345');
      } finally {
        await client.end();
      }
    } finally {
      cluster.stop();
    }
  }, 120_000);

  it('Chromium: the npm package’s browser renders a Russian page for playwright-core', async () => {
    hideSystem();
    const exe = await findChromium();
    expect(exe.startsWith('/usr/')).toBe(false);
    const browser = await chromium.launch({ executablePath: exe, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      await page.setContent('<p id="t">Касса: 123,45 ₽</p>');
      expect(await page.locator('#t').textContent()).toBe('Касса: 123,45 ₽');
    } finally {
      await browser.close();
    }
  }, 120_000);
});
