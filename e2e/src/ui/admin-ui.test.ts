/**
 * The back office in a real browser against a real server and a real desk: an administrator signs in,
 * sets up a new point with two desks, enrolls one with the code the screen shows, loads an accounts
 * file (first with a bad row, then fixed), resolves a review item, reads the reports, checks the
 * audit chain, creates, uses and revokes an API key, and watches the desk go offline on the overview.
 * Every screen is photographed.
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollWithServer } from '@paydesk/desk';
import { PROTOCOL_VERSION } from '@paydesk/protocol';
import deskPackage from '../../../apps/desk/package.json' with { type: 'json' };
import { enrolledDataDir, removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';
import { launchBrowser, shot } from './browser.ts';

const ADMIN_UI = fileURLToPath(new URL('../../../apps/admin-ui/dist', import.meta.url));

let server: TestStackServer;
let browser: Browser;
let page: Page;
let desk: Awaited<ReturnType<typeof startTestDesk>> | null = null;
const files = mkdtempSync(join(tmpdir(), 'paydesk-admin-ui-'));

const text = async (testId: string): Promise<string> => (await page.getByTestId(testId).first().textContent()) ?? '';
const visible = (testId: string, timeout = 10_000) => page.getByTestId(testId).first().waitFor({ state: 'visible', timeout });

beforeAll(async () => {
  server = await startTestServer({ adminUiDir: ADMIN_UI, onlineWindowSeconds: 8 });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'ru-RU', timezoneId: 'Europe/Moscow' });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (desk) {
    await desk.stop();
    removeDir(desk.dataDir);
  }
  await server?.close();
  removeDir(files);
});

describe('the back office', () => {
  it('serves its page at /admin and refuses a wrong password', async () => {
    await page.goto(`${server.url}/admin/`);
    await visible('login');
    // The page names its icon and the server has it (no 404 for /favicon.ico on every load).
    const icon = await page.locator('link[rel=icon]').getAttribute('href');
    expect(icon).toBe('/admin/favicon.svg');
    const served = await fetch(`${server.url}${icon}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toContain('image/svg+xml');
    await page.getByTestId('login').fill('admin');
    await page.getByTestId('password').fill('wrong');
    await page.getByTestId('password').press('Enter');
    await expect.poll(() => text('login-error')).toContain('Неверный');
    await shot(page, 'admin-01-login');
    await page.getByTestId('password').fill('paydesk-demo');
    await page.getByTestId('password').press('Enter');
    await visible('nav-overview');
  });

  it('sets up a new point with two desks and shows each one-time code', async () => {
    await page.getByTestId('nav-desks').click();
    await page.getByTestId('point-new').click();
    await page.getByTestId('point-code').fill('P2');
    await page.getByTestId('point-name').fill('Пункт на Мира');
    await page.getByTestId('point-address').fill('г. Энск, ул. Мира, 7');
    await page.getByTestId('point-save').click();
    await visible('point-P2');
    const codes: string[] = [];
    for (const name of ['Касса 2', 'Касса 3']) {
      await page.getByTestId('desk-new').click();
      await page.getByTestId('desk-name').fill(name);
      await page.getByTestId('desk-point').click();
      await page.getByRole('option', { name: 'Пункт на Мира (P2)' }).click();
      await page.getByTestId('desk-save').click();
      await visible('enrollment-code');
      codes.push((await text('enrollment-code')).trim());
      if (name === 'Касса 2') await shot(page, 'admin-03-enrollment-code');
      await page.getByRole('button', { name: 'Готово' }).click();
      await page.getByTestId('enrollment-code-dialog').waitFor({ state: 'hidden' });
    }
    expect(codes.every((c) => c.length >= 8)).toBe(true);
    await expect
      .poll(() =>
        page
          .getByTestId('point-P2')
          .getByTestId(/desk-row-/)
          .count(),
      )
      .toBe(2);
    await shot(page, 'admin-04-desks');

    // The code from the screen enrolls a real desk, which then syncs and reports its state.
    desk = await startTestDesk(server, { dataDir: await enrolledDataDir(server, 'Касса 2', codes[0]) });
    await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
    await desk.api.login();
    await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 100_000 });
    for (const amountKop of [50_000, 120_000])
      await desk.api.ok('POST', '/api/payments', { kind: 'billing', accountNumber: '1234567', amountKop, method: 'cash' });
    await desk.api.ok('POST', '/api/payments', {
      kind: 'thirdparty',
      providerCode: 'MTS',
      account: '9161234567',
      amountKop: 30_000,
      method: 'card',
    });
    await desk.api.waitFor('sent', (s) => s.unsentCount === 0);
  });

  it('the overview shows the desk online, today’s totals and the hourly chart', async () => {
    await page.getByTestId('nav-overview').click();
    await expect.poll(async () => page.getByTestId('online-Касса 2').getAttribute('data-state'), { timeout: 20_000 }).toBe('online');
    await expect.poll(() => text('today-sum')).not.toBe('0,00 ₽');
    await visible('hourly-chart');
    await shot(page, 'admin-02-overview');
  });

  it('the desks list shows which program each desk runs, and a desk still speaking the previous protocol', async () => {
    // A desk not upgraded yet: it pulls as version 1 did, naming no protocol version.
    const old = await enrollWithServer(server.url, await server.enrollmentCode('Касса старая'));
    const pulled = await fetch(new URL('/api/v1/sync/pull?cursor=0&limit=10', server.url), {
      headers: { authorization: `Bearer ${old.deskKey}` },
    });
    expect(pulled.status).toBe(200);
    await page.getByTestId('nav-desks').click();
    await expect.poll(() => text('version-Касса 2'), { timeout: 20_000 }).toBe(deskPackage.version);
    const row = page.getByTestId('desk-row-Касса старая');
    await expect
      .poll(async () => (await row.textContent()) ?? '')
      .toContain(`старая версия кассы: обновите (протокол ${PROTOCOL_VERSION - 1})`);
    expect((await page.getByTestId('desk-row-Касса 2').textContent()) ?? '').not.toContain('старая версия');
    await shot(page, 'admin-04b-desks-versions');
  });

  it('loads an accounts file: a bad row is reported with its line and nothing is loaded, the fixed file loads', async () => {
    await page.getByTestId('nav-imports').click();
    const bad = join(files, 'accounts-bad.csv');
    writeFileSync(
      bad,
      'number;city;street;house;flat;owner\n5550001;Энск;Мира;7;1;Сидоров С.С.\n5550002;Энск;Мира;7;2;Козлова К.К.\n;Энск;Мира;7;3;Без номера\n',
    );
    await page.getByTestId('import-file').click();
    await page.locator('input[type=file]').setInputFiles(bad);
    await page.getByTestId('import-upload').click();
    await expect.poll(() => text('import-status'), { timeout: 15_000 }).toBe('не загружен');
    await visible('import-errors');
    expect(await text('import-errors')).toContain('4');
    await shot(page, 'admin-05-import-errors');
    expect(
      await server.open.db.selectFrom('accounts').select('number').where('number', 'in', ['5550001', '5550002']).execute(),
    ).toHaveLength(0);

    const good = join(files, 'accounts.csv');
    writeFileSync(good, 'number;city;street;house;flat;owner\n5550001;Энск;Мира;7;1;Сидоров С.С.\n5550002;Энск;Мира;7;2;Козлова К.К.\n');
    await page.locator('input[type=file]').setInputFiles(good);
    await page.getByTestId('import-upload').click();
    await expect.poll(() => text('import-status'), { timeout: 15_000 }).toBe('загружен');
    await shot(page, 'admin-06-import-done');
    expect(
      await server.open.db.selectFrom('accounts').select('number').where('number', 'in', ['5550001', '5550002']).execute(),
    ).toHaveLength(2);
  });

  it('resolves a review item with a note that reaches the audit log', async () => {
    const id = randomUUID();
    await server.open.db
      .insertInto('review_items')
      .values({
        id,
        kind: 'sync',
        code: 'payment.account_closed',
        message: 'Платёж на закрытый лицевой счёт 7654321 принят кассой без связи',
        op_id: null,
        desk_id: null,
        context: JSON.stringify({ account: '7654321', amountKop: 150_000 }),
      })
      .execute();
    await page.getByTestId('nav-review').click();
    await visible('review-payment.account_closed');
    // The payment over the debt taken at Касса 2 is named as a person finds it; its op id waits in the details.
    const aboveDebt = page.getByTestId('review-payment.above_debt').first();
    expect(await aboveDebt.innerText()).toMatch(/Платёж К2-\d{6}, счёт 1234567/);
    // …and what it paid by the service's name and the period as people write it (not MAINT, 2026-10).
    expect(await aboveDebt.innerText()).toMatch(/за «[^»]+» за \d{2}\.\d{4}/);
    expect(await aboveDebt.innerText()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    await shot(page, 'admin-07-review');
    await page.getByTestId('resolve-payment.account_closed').click();
    await page.getByTestId('resolution-note').fill('Счёт переоткрыт в биллинге, платёж зачтён');
    await page.getByTestId('resolution-save').click();
    await page.getByTestId('review-payment.account_closed').waitFor({ state: 'detached' });
    const row = await server.open.db.selectFrom('review_items').select(['status', 'note']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'resolved', note: 'Счёт переоткрыт в биллинге, платёж зачтён' });
  });

  it('catalogs: the provider’s mask tester and the commission preview', async () => {
    await page.getByTestId('nav-catalogs').click();
    await page.getByTestId('tab-providers').click();
    await page.getByTestId('providers-table').getByRole('button', { name: 'Изменить' }).first().click();
    await visible('mask-tester');
    await page.getByTestId('mask-sample').fill('+7 (916) 123-45-67');
    await visible('mask-ok');
    await page.getByTestId('mask-sample').fill('12345');
    await visible('mask-bad');
    await page.getByTestId('commission-preview').scrollIntoViewIfNeeded();
    expect(await text('commission-preview')).toContain('20,00');
    await shot(page, 'admin-08-provider');
    await page.keyboard.press('Escape');
    await page.getByTestId('tab-suppliers').click();
    await visible('suppliers-table');
    await shot(page, 'admin-09-suppliers');
  });

  it('catalogs: changing a provider’s OSMP address sends that field alone and keeps its commission and flags (issue 16 item 9)', async () => {
    await page.getByTestId('tab-providers').click();
    await visible('providers-table');
    await page.getByTestId('providers-table').getByRole('row').filter({ hasText: 'МТС' }).getByRole('button', { name: 'Изменить' }).click();
    await visible('field-osmpUrl');
    await page.getByTestId('field-osmpUrl').fill('http://127.0.0.1:2/osmp-new');
    const sent = page.waitForRequest((r) => r.method() === 'PATCH' && r.url().includes('/api/v1/providers/MTS'));
    await page.getByTestId('record-save').click();
    expect(JSON.parse((await sent).postData() ?? 'null')).toEqual({ osmpUrl: 'http://127.0.0.1:2/osmp-new' });
    await page.getByTestId('field-osmpUrl').waitFor({ state: 'hidden' });
    const mts = await server.open.db
      .selectFrom('providers')
      .select(['osmp_url', 'commission', 'check_required', 'offline_allowed', 'agent_type', 'min_kop', 'max_kop'])
      .where('code', '=', 'MTS')
      .executeTakeFirstOrThrow();
    expect(mts).toEqual({
      osmp_url: 'http://127.0.0.1:2/osmp-new',
      commission: { kind: 'percent', mode: 'on_top', rateBp: 200 },
      check_required: false,
      offline_allowed: true,
      agent_type: 'paying_subagent',
      min_kop: 1_000,
      max_kop: 1_500_000,
    });
    // Saving without a change sends nothing.
    await page.getByTestId('providers-table').getByRole('row').filter({ hasText: 'МТС' }).getByRole('button', { name: 'Изменить' }).click();
    await visible('field-osmpUrl');
    let patches = 0;
    const count = (r: { method(): string }): void => {
      if (r.method() === 'PATCH') patches++;
    };
    page.on('request', count);
    await page.getByTestId('record-save').click();
    await page.getByTestId('field-osmpUrl').waitFor({ state: 'hidden' });
    page.off('request', count);
    expect(patches).toBe(0);
  });

  it('the account card, the reports with a chart, people and the audit chain', async () => {
    await page.getByTestId('nav-billing').click();
    await page.getByTestId('account-search').fill('1234567');
    await page.getByTestId('account-1234567').click();
    await visible('account-card');
    // Both payments taken at the new desk are on the card, and together they cover the debt.
    await expect.poll(() => text('account-card')).toContain('К2-000002');
    expect(await text('account-card')).toContain('К2-000001');
    expect((await text('account-debt')).replace(/\s/g, '')).toBe('0,00₽');
    await shot(page, 'admin-10-account');

    await page.getByTestId('nav-reports').click();
    await visible('report-chart');
    await expect.poll(() => text('report-table')).toContain('Касса 2');
    // Dates are typed and shown as 28.11.2026 whatever the browser's language (a native date input said 11/28/2026).
    const from = page.getByTestId('report-from');
    expect(await from.inputValue()).toMatch(/^\d{2}\.\d{2}\.\d{4}$/);
    await from.fill('31.02.2026');
    await from.press('Tab');
    await expect.poll(() => page.getByText('Дата как 28.11.2026').count()).toBe(1);
    await from.fill(await page.getByTestId('report-to').inputValue());
    await from.press('ArrowDown');
    expect(await from.inputValue()).not.toBe(await page.getByTestId('report-to').inputValue());
    await from.press('ArrowUp');
    await expect.poll(() => text('report-table')).toContain('Касса 2');
    await shot(page, 'admin-11-reports');

    await page.getByTestId('nav-people').click();
    await visible('user-admin');
    await shot(page, 'admin-12-people');

    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-verify').click();
    await visible('audit-ok');
    expect(await text('audit-table')).toContain('review.resolve');
    await shot(page, 'admin-13-audit');
  });

  it('API keys (issue 24 item 8): created from the keyboard, shown once with a copy button, used, listed with their last use, revoked', async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await page.keyboard.press('Alt+0');
    await visible('apikeys-table');
    await page.getByTestId('apikey-new').focus();
    await page.keyboard.press('Enter');
    await visible('apikey-name');
    await page.keyboard.type('Биллинг Эксперт');
    // Tab onto the scopes and tick «read» and «feed» with the space bar; Enter in the name creates the key.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await page.getByTestId('apikey-name').press('Enter');
    await visible('apikey-created');
    await page.getByTestId('apikey-name').waitFor({ state: 'detached' });
    // Photographed once the dialog has finished opening.
    await (await page.getByTestId('apikey-created').elementHandle())?.waitForElementState('stable');
    const key = (await text('apikey-secret')).trim();
    expect(key).toMatch(/^pda_[A-Za-z0-9_-]{43}$/);
    // The copy button has the focus: Enter copies the key.
    await page.keyboard.press('Enter');
    await expect.poll(() => text('apikey-copy')).toBe('Скопировано');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(key);
    await shot(page, 'admin-15-api-key-created');

    const call = (url: string) => fetch(`${server.url}${url}`, { headers: { authorization: `Bearer ${key}` } });
    expect((await call('/api/v1/billing/feed')).status).toBe(200);
    expect((await call('/api/v1/services')).status).toBe(200);
    expect((await call('/api/v1/imports')).status).toBe(403);

    await page.keyboard.press('Escape');
    await page.getByTestId('apikey-created').waitFor({ state: 'detached' });
    // Away and back (Alt+9, Alt+0): the list shows the key by its prefix, its scopes and that it was just used.
    await page.keyboard.press('Alt+9');
    await visible('audit-table');
    await page.keyboard.press('Alt+0');
    await expect.poll(() => text('apikey-used-Биллинг Эксперт')).toBe('только что');
    expect(await text('apikey-state-Биллинг Эксперт')).toBe('действует');
    expect(await text('apikey-Биллинг Эксперт')).toContain(key.slice(0, 12));
    expect(await text('apikeys-table')).not.toContain(key);
    await shot(page, 'admin-16-api-keys');
    await page.setViewportSize({ width: 1024, height: 768 });
    await shot(page, 'admin-16b-api-keys-1024');
    await page.setViewportSize({ width: 1440, height: 900 });

    await page.getByTestId('apikey-revoke-Биллинг Эксперт').focus();
    await page.keyboard.press('Enter');
    await visible('apikey-revoke-confirm');
    await (await page.getByTestId('apikey-revoke-confirm').elementHandle())?.waitForElementState('stable');
    await shot(page, 'admin-17-api-key-revoke');
    await page.keyboard.press('Enter');
    await expect.poll(() => text('apikey-state-Биллинг Эксперт')).toBe('отозван');
    const refused = await call('/api/v1/billing/feed');
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { code: string }).code).toBe('auth.key_revoked');
  });

  it('the overview shows the desk offline once it stops', async () => {
    await desk?.stop();
    await page.getByTestId('nav-overview').click();
    await expect
      .poll(async () => page.getByTestId('online-Касса 2').getAttribute('data-state'), { timeout: 30_000, interval: 1000 })
      .toBe('offline');
    // Silent is a problem, and when it was last heard from is a time, not «только что».
    expect(await text('overview-desk-Касса 2')).toMatch(/молчит \d+ (с|мин)/);
    expect(await text('overview-desk-Касса 2')).not.toContain('в порядке');
    expect(await text('last-seen-Касса 2')).toMatch(/\d{2}:\d{2}, (\d+ с|\d+ мин)/);
    await shot(page, 'admin-14-overview-offline');
  }, 45_000);
});
