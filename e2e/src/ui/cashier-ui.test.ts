/**
 * The cashier's screens in a real browser (Debian's Chromium through playwright-core) against a real
 * desk and a real server, driven by the keyboard as a cashier would. Every screen is photographed
 * into docs/screenshots.
 */
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBillQr, formatRub } from '@paydesk/domain';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';
import { launchBrowser, shot, shotPdfPage } from './browser.ts';

const UI_DIR = fileURLToPath(new URL('../../../apps/desk-ui/dist', import.meta.url));

let server: TestStackServer;
let desk: Awaited<ReturnType<typeof startTestDesk>>;
let browser: Browser;
let page: Page;

const text = async (testId: string): Promise<string> => (await page.getByTestId(testId).first().textContent()) ?? '';
const visible = (testId: string, timeout = 10_000) => page.getByTestId(testId).first().waitFor({ state: 'visible', timeout });
/** The result screen takes the next payer's Enter only a moment after it shows (a double Enter must not skip the change). */
/** The account is paid up after the first bill: a typed sum is an advance, which the cashier confirms (issue 19 item 3). */
const confirmAdvance = async (): Promise<void> => {
  await visible('confirm-box');
  expect(await text('confirm-box')).toContain('аванс');
  await page.keyboard.press('Control+Enter');
};
const nextPayerArmed = () => page.locator('[data-testid="next-payer"][data-armed="true"]').waitFor({ timeout: 5_000 });

beforeAll(async () => {
  server = await startTestServer();
  desk = await startTestDesk(server, { uiDir: UI_DIR });
  await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
  await desk.api.login();
  browser = await launchBrowser();
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: 'ru-RU',
    timezoneId: 'Europe/Moscow',
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  page = await context.newPage();
  await page.goto(desk.url);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await desk?.stop();
  if (desk) removeDir(desk.dataDir);
  await server?.close();
});

describe('the cashier’s screens', () => {
  it('signs in with the keyboard', async () => {
    await visible('login');
    await shot(page, 'desk-01-login');
    await page.keyboard.type('cashier');
    await page.keyboard.press('Tab');
    await page.keyboard.type('paydesk-demo');
    await page.keyboard.press('Enter');
    await visible('account-search');
    expect(await text('connection')).toContain('На связи');
  });

  it('opens the shift from the register menu (F9)', async () => {
    await page.keyboard.press('F9');
    await visible('register-open');
    await shot(page, 'desk-02-register-closed');
    await page.getByTestId('register-open').click();
    await visible('register-amount');
    await page.keyboard.type('5000');
    await page.keyboard.press('Enter');
    await expect.poll(() => text('register-message'), { timeout: 10_000 }).toContain('Готово');
    await expect.poll(() => text('status-bar')).toContain('Смена № 1');
  });

  it('pays a scanned bill in cash with exact money: one keystroke after the scan', async () => {
    await page.keyboard.press('F1');
    await visible('account-search');
    await shot(page, 'desk-03-billing-search');
    const qr = buildBillQr({
      Name: 'ООО "УК Дом"',
      PersonalAcc: '40702810138250123017',
      BankName: 'ПАО Сбербанк',
      BIC: '044525225',
      CorrespAcc: '30101810400000000225',
      PayeeINN: '7707083893',
      PersAcc: '1234567',
      Sum: '151234',
      PaymPeriod: '102026',
    });
    // A keyboard-wedge scanner: the whole code in a burst, then Enter.
    await page.keyboard.insertText(qr);
    await page.keyboard.press('Enter');
    await visible('account-card');
    await expect.poll(() => text('total'), { timeout: 10_000 }).toContain('1\u00a0517,46');
    await shot(page, 'desk-04-billing-account-from-qr');
    // The only keystroke after the scan: Enter in «Получено», left empty for exact money.
    await page.keyboard.press('Enter');
    await visible('payment-result');
    await visible('receipt-tape');
    expect(await text('receipt-tape')).toContain('ИНН поставщика: 7707083893');
    await shot(page, 'desk-05-billing-receipt');
    await nextPayerArmed();
    await page.keyboard.press('Enter');
    await visible('account-search');
    const payments = await desk.api.ok<{ items: { kind: string; totalKop: number }[] }>('GET', '/api/payments?kind=payments');
    expect(payments.items[0]).toMatchObject({ kind: 'billing', totalKop: 151_746 });
  });

  it('pasting a bill’s QR text into the search works like a scan', async () => {
    const qr = buildBillQr({
      Name: 'ООО "УК Дом"',
      PersonalAcc: '40702810138250123017',
      BankName: 'ПАО Сбербанк',
      BIC: '044525225',
      CorrespAcc: '30101810400000000225',
      PayeeINN: '7707083893',
      PersAcc: '1234567',
      Sum: '50000',
      PaymPeriod: '102026',
    });
    await page.evaluate(
      (t) =>
        (globalThis as unknown as { navigator: { clipboard: { writeText(s: string): Promise<void> } } }).navigator.clipboard.writeText(t),
      qr,
    );
    await page.getByTestId('account-search').click();
    await page.keyboard.press('Control+V');
    await visible('account-card');
    // 500,00 to the supplier and the water supplier's 1 % on its share: 501,67 to pay.
    await expect.poll(() => text('total'), { timeout: 10_000 }).toContain('501,67');
    // The pasted text went to the scan, not into the search field.
    expect(await page.getByTestId('account-search').count()).toBe(0);
    await page.keyboard.press('Escape');
    await visible('account-search');
    expect(await page.getByTestId('account-search').inputValue()).toBe('');
  });

  it('a partial payment typed as one total is spread across the services', async () => {
    await page.getByTestId('account-search').fill('ленина 10 5');
    await visible('search-results');
    await page.waitForTimeout(300);
    await shot(page, 'desk-06-billing-search-results');
    await page.keyboard.press('Enter');
    await visible('account-card');
    await page.getByTestId('total-input').fill('300');
    await expect.poll(() => text('total'), { timeout: 10_000 }).not.toBe('—');
    // Before any money is taken: the commission, per supplier with its rule, and the total with it (issue 16 item 10).
    await visible('billing-commission');
    expect(await text('billing-commission')).toMatch(/Водоканал.*1\s%.*1,00/);
    expect(await text('billing-commission')).toContain('1,00');
    expect(await text('total')).toContain('301,00');
    await page.getByTestId('tendered').fill('500');
    await expect.poll(() => text('change')).toContain('199');
    await shot(page, 'desk-07-billing-partial');
    await page.getByTestId('tendered').press('Enter');
    await confirmAdvance();
    await visible('payment-result');
    expect(await text('result-change')).toContain('199,00');
    await nextPayerArmed();
    await page.keyboard.press('Enter');
  });

  it('a payment the register refused (no paper) can be taken again with another sum: a new operation, not a reused id (issue 16 item 8)', async () => {
    await page.getByTestId('account-search').fill('ленина 10 5');
    await visible('search-results');
    await page.keyboard.press('Enter');
    await visible('account-card');
    await page.getByTestId('total-input').fill('100');
    await expect.poll(() => text('total'), { timeout: 10_000 }).not.toBe('—');
    await page.getByTestId('tendered').fill('150');
    await desk.api.ok('POST', '/api/test/register', { paper: false });
    await page.getByTestId('tendered').press('Enter');
    await confirmAdvance();
    await visible('payment-error');
    expect(await text('payment-error')).toContain('бумага');
    await desk.api.ok('POST', '/api/test/register', { paper: true });
    // The payer hands over another note; the cashier corrects «Получено» and presses Enter again.
    await page.getByTestId('tendered').fill('200');
    await page.getByTestId('tendered').press('Enter');
    await visible('payment-result');
    expect(await text('result-change')).toMatch(/9\d,\d\d/);
    await nextPayerArmed();
    await page.keyboard.press('Enter');
  });

  it('a third-party payment with its commission shown before accepting (F2)', async () => {
    await page.keyboard.press('F2');
    await visible('provider-search');
    await shot(page, 'desk-08-thirdparty');
    await page.keyboard.type('МТС');
    await page.keyboard.press('Enter');
    await visible('provider-account');
    await page.getByTestId('provider-account').fill('');
    await page.keyboard.type('89161112233');
    expect(await page.getByTestId('provider-account').inputValue()).toBe('+7 (916) 111-22-33');
    await page.keyboard.press('Enter');
    await page.keyboard.type('300');
    await expect.poll(() => text('provider-commission'), { timeout: 10_000 }).toContain('6,00');
    await shot(page, 'desk-09-thirdparty-commission');
    // Enter in the sum takes exact money.
    await page.keyboard.press('Enter');
    await visible('payment-result');
    await shot(page, 'desk-10-thirdparty-receipt');
    await nextPayerArmed();
    await page.keyboard.press('Enter');
    await page.getByTestId('price-list').click();
    await visible('price-table');
    await page.getByTestId('qty-COPY_A4').fill('3');
    await shot(page, 'desk-11-price-list');
  });

  it('a reading that needs a confirmation (F3)', async () => {
    await page.keyboard.press('F3');
    await visible('account-search');
    await page.keyboard.type('1234567');
    await page.waitForTimeout(300);
    await page.keyboard.press('Enter');
    await visible('reading-value');
    await page.keyboard.type('1900');
    await page.keyboard.press('Enter');
    await page.locator('[data-finding="reading.jump"]').waitFor({ timeout: 10_000 });
    await shot(page, 'desk-12-reading-confirm');
    await page.getByTestId('reading-value').press('Enter');
    await visible('reading-saved');
    expect(await text('reading-saved')).toContain('расход 900');
    await shot(page, 'desk-13-reading-saved');
  });

  it('a reversal approved by a senior cashier, from the journal (F4)', async () => {
    // A payment by the senior: the cashier may not reverse it alone.
    const senior = new (desk.api.constructor as new (url: string) => typeof desk.api)(desk.url);
    await senior.login('senior', 'paydesk-demo');
    await senior.ok('POST', '/api/payments', { kind: 'service', items: [{ code: 'COPY_A4', quantity: 2 }], method: 'cash' });
    await page.keyboard.press('F4');
    await visible('journal');
    await page.waitForTimeout(300);
    // The top-up taken earlier is named by its provider, not by the catalog's code (MTS).
    expect(await text('journal')).toContain('МТС 9');
    expect(await text('journal')).not.toMatch(/MTS/);
    await shot(page, 'desk-14-journal');
    await page.keyboard.press('Enter');
    await visible('reverse');
    await shot(page, 'desk-15-journal-details');
    await page.getByTestId('reverse').click();
    await visible('reversal-reason');
    await page.keyboard.type('Ошибочно пробита услуга');
    await page.keyboard.press('Enter');
    await visible('approval');
    await page.getByTestId('approval-login').fill('senior');
    await page.getByTestId('approval-password').fill('paydesk-demo');
    await shot(page, 'desk-16-reversal-approval');
    await page.getByTestId('approval-password').press('Enter');
    await visible('reversal-done');
    // Enter closes «Готово», and the focus is back in the journal's search, not on the page.
    await page.keyboard.press('Enter');
    await page.getByTestId('reversal-done').waitFor({ state: 'detached' });
    await expect.poll(() => page.evaluate('document.activeElement?.getAttribute("data-testid")')).toBe('journal-search');
  });

  it('X report and Z report from the register menu', async () => {
    await page.keyboard.press('F9');
    await page.getByTestId('register-x').click();
    await visible('x-totals');
    await shot(page, 'desk-17-register-x');
    await desk.api.waitFor('all sent', (s) => s.unsentCount === 0);
    await page.getByTestId('register-z').click();
    await visible('z-confirm');
    await page.getByTestId('z-confirm-yes').click();
    await expect.poll(() => text('register-message'), { timeout: 15_000 }).toContain('Готово');
    await expect.poll(() => text('status-bar')).toContain('Смена закрыта');
    await shot(page, 'desk-18-register-z');
    await page.getByTestId('register-open').click();
    await visible('register-amount');
    await page.keyboard.press('Enter');
    await expect.poll(() => text('status-bar'), { timeout: 10_000 }).toContain('Смена № 2');
  });

  it('an operation the register cannot account for is listed on «ККМ» and a senior settles it by hand', async () => {
    // The register prints, its answer is lost, and it stays silent when asked: the desk cannot tell.
    await desk.api.ok('POST', '/api/test/register-fault', { kind: 'lose_answer', silentFor: 2 });
    const r = await desk.api.call<{ code: string }>('POST', '/api/payments', {
      kind: 'service',
      items: [{ code: 'COPY_A4', quantity: 2 }],
      method: 'cash',
    });
    expect(r.body.code).toBe('fiscal.outcome_unknown');
    await page.keyboard.press('F9');
    await visible('unresolved');
    await expect.poll(() => text('banners')).toContain('сверяет');
    await shot(page, 'desk-18b-register-unresolved');
    await page.getByTestId('settle-open').click();
    await visible('settle-document');
    const receipts = (await desk.api.ok<{ items: { documentNumber: number }[] }>('GET', '/api/test/receipts')).items;
    await page.getByTestId('settle-document').fill(String(receipts.at(-1)?.documentNumber ?? 0));
    await page.getByTestId('settle-comment').fill('На ленте чек на 30,00 ₽, ФД совпадает');
    await page.getByTestId('settle-login').fill('senior');
    await page.getByTestId('settle-password').fill('paydesk-demo');
    await shot(page, 'desk-18c-register-settle');
    await page.getByTestId('settle-password').press('Enter');
    await page.getByTestId('unresolved').waitFor({ state: 'detached', timeout: 10_000 });
    const status = await desk.api.status();
    expect((status as unknown as { register: { state: string } }).register.state).not.toBe('reconciling');
  });

  it('the light turns grey when the server stops, payments wait, and it turns green once they are sent', async () => {
    await page.keyboard.press('F1');
    const count = async (): Promise<number> =>
      Number(
        (
          await server.open.db
            .selectFrom('payments')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    await desk.api.waitFor('all sent', (s) => s.unsentCount === 0);
    const before = await count();
    await server.stop();
    await expect.poll(async () => page.getByTestId('connection').getAttribute('data-state'), { timeout: 20_000 }).toBe('gray');
    // Offline is a banner that takes no focus: what the cashier was typing keeps going into the field.
    await visible('offline-banner');
    await page.getByTestId('account-search').focus();
    await page.keyboard.type('12345');
    await page.waitForTimeout(300);
    await page.keyboard.type('67');
    expect(await page.getByTestId('account-search').inputValue()).toBe('1234567');
    await shot(page, 'desk-19-offline-banner');
    await page.getByTestId('account-search').fill('');
    for (const amount of ['100', '200']) {
      await page.getByTestId('account-search').fill('1234567');
      await page.waitForTimeout(250);
      await page.getByTestId('account-search').press('Enter');
      await visible('account-card');
      await page.getByTestId('total-input').fill(amount);
      await expect.poll(() => text('total'), { timeout: 10_000 }).not.toBe('—');
      await page.getByTestId('tendered').press('Enter');
      await confirmAdvance();
      await visible('payment-result');
      await nextPayerArmed();
      await page.keyboard.press('Enter');
    }
    await expect.poll(() => text('unsent')).toContain('Не отправлено: 2');
    await shot(page, 'desk-20-offline-unsent');
    await server.start();
    await expect.poll(async () => page.getByTestId('connection').getAttribute('data-state'), { timeout: 30_000 }).toBe('green');
    await page.getByTestId('offline-banner').waitFor({ state: 'detached' });
    await shot(page, 'desk-21-back-online');
    expect(await count()).toBe(before + 2);
    expect(await text('connection')).toContain('На связи');
  }, 90_000);

  it('the shift report: totals, the drawer, a cash-up by notes with its shortage in red, the PDF', async () => {
    await page.keyboard.press('F6');
    await expect.poll(() => text('report-title'), { timeout: 10_000 }).toContain('№ 2');
    const report = await desk.api.ok<{ cash: { expectedDrawerKop: number }; blocks: { sumKop: number }[] }>('GET', '/api/reports/shift');
    expect(report.blocks.length).toBeGreaterThan(0);
    const expected = report.cash.expectedDrawerKop;
    await expect.poll(async () => (await text('report-expected')).replace(/\s/g, '')).toBe(formatRub(expected).replace(/\s/g, ''));
    await shot(page, 'desk-22-reports');
    await visible('report-match');

    await page.getByTestId('report-count').click();
    await visible('face-500000');
    await page.getByTestId('face-10000').locator('input').or(page.getByTestId('face-10000')).first().fill('2');
    await page.getByTestId('face-1000').locator('input').or(page.getByTestId('face-1000')).first().fill('5');
    const counted = 2 * 10_000 + 5 * 1_000;
    await expect.poll(async () => (await text('count-counted')).replace(/\s/g, '')).toBe(formatRub(counted).replace(/\s/g, ''));
    await expect
      .poll(async () => (await text('count-difference')).replace(/\s/g, ''))
      .toContain(formatRub(Math.abs(counted - expected)).replace(/\s/g, ''));
    await shot(page, 'desk-23-cash-up');
    await page.getByTestId('count-submit').click();
    await visible('report-counts');
    await expect.poll(() => text('report-message')).toContain('Пересчёт записан');
    await page.getByTestId('face-500000').first().waitFor({ state: 'hidden' });
    const after = await desk.api.ok<{ cash: { counts: { countedKop: number; differenceKop: number }[] } }>('GET', '/api/reports/shift');
    expect(after.cash.counts).toEqual([expect.objectContaining({ countedKop: counted, differenceKop: counted - expected })]);
    await shot(page, 'desk-24-reports-after-count');

    const pdf = await fetch(new URL('/api/reports/shift?shift=1&format=pdf', desk.url), {
      headers: { authorization: `Bearer ${desk.api.token ?? ''}` },
    });
    expect(pdf.status).toBe(200);
    await shotPdfPage(browser, desk.url, new Uint8Array(await pdf.arrayBuffer()), 'desk-25-shift-report-pdf');
  });

  it('the settings screen', async () => {
    await page.keyboard.press('F10');
    await page.waitForTimeout(500);
    await shot(page, 'desk-26-settings');
  });
});
