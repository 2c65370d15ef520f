/**
 * Issue 19, money at stake (items 1–4) and the keys around a payment (items 10 and 11), in a real
 * browser with the keyboard alone, at a small cashier monitor (1024×768) and a large one (1440×900):
 * a bill paid again, another organisation's bill, an overpayment, the Z report and a card payment
 * each need a deliberate step; a double Enter never skips the change; an amount that cannot be taken
 * says why.
 */
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBillQr } from '@paydesk/domain';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';
import { launchBrowser, shot } from './browser.ts';

const UI_DIR = fileURLToPath(new URL('../../../apps/desk-ui/dist', import.meta.url));

const BILL = {
  Name: 'ООО "УК Дом"',
  PersonalAcc: '40702810138250123017',
  BankName: 'ПАО Сбербанк',
  BIC: '044525225',
  CorrespAcc: '30101810400000000225',
  PayeeINN: '7707083893',
  PersAcc: '1234567',
  Sum: '50000',
  PaymPeriod: '102026',
};

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe.each([
  { width: 1024, height: 768 },
  { width: 1440, height: 900 },
])('at $width×$height', ({ width, height }) => {
  // Each size has a server and a desk of its own: the same account, debts and bills, untouched by the other size.
  let server: TestStackServer;
  let desk: Awaited<ReturnType<typeof startTestDesk>>;
  let page: Page;
  const size = `${width}`;
  const payments = async (): Promise<number> =>
    (await desk.api.ok<{ items: unknown[] }>('GET', '/api/payments?kind=payments&limit=500')).items.length;
  const text = async (testId: string): Promise<string> => (await page.getByTestId(testId).first().textContent()) ?? '';
  const visible = (testId: string, timeout = 10_000) => page.getByTestId(testId).first().waitFor({ state: 'visible', timeout });
  const nextPayerArmed = () => page.locator('[data-testid="next-payer"][data-armed="true"]').waitFor({ timeout: 5_000 });
  const scan = async (fields: Record<string, string>): Promise<void> => {
    await page.keyboard.insertText(buildBillQr(fields));
    await page.keyboard.press('Enter');
  };

  beforeAll(async () => {
    server = await startTestServer();
    // A terminal not connected to the desk: the card's approval is typed from its slip.
    desk = await startTestDesk(server, { uiDir: UI_DIR, terminal: { driver: 'standalone' } });
    await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
    await desk.api.login();
    await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 1_000_000 });
    const context = await browser.newContext({ viewport: { width, height }, locale: 'ru-RU', timezoneId: 'Europe/Moscow' });
    page = await context.newPage();
    await page.goto(desk.url);
    await page.getByTestId('login').waitFor();
    await page.keyboard.type('cashier');
    await page.keyboard.press('Tab');
    await page.keyboard.type('paydesk-demo');
    await page.keyboard.press('Enter');
    await visible('account-search');
  });

  afterAll(async () => {
    await page?.context().close();
    await desk?.stop();
    if (desk) removeDir(desk.dataDir);
    await server?.close();
  });

  it('one service of many in two keys after the account opens (Alt+N, Enter); paid lines fold; F3 opens this account’s readings', async () => {
    await page.getByTestId('account-search').fill('1234567');
    await page.keyboard.press('Enter');
    await visible('account-card');
    await expect.poll(() => text('total'), { timeout: 10_000 }).not.toBe('—');
    const before = await payments();
    await page.keyboard.press('Alt+Digit2');
    await expect.poll(() => text('total'), { timeout: 10_000 }).toContain('517,46'); // water 500,00 + penalty 12,34 + its 1 % (5,12)
    await page.keyboard.press('Enter');
    await visible('payment-result');
    expect(await payments()).toBe(before + 1);
    await nextPayerArmed();
    await page.keyboard.press('Enter');
    await page.getByTestId('account-search').fill('1234567');
    await page.keyboard.press('Enter');
    await visible('account-card');
    await visible('show-all-lines');
    expect(await text('show-all-lines')).toContain('1');
    expect(await page.getByTestId('line-WATER').count()).toBe(0);
    await shot(page, `desk-48-billing-folded-${size}`);
    await page.keyboard.press('F3');
    await expect.poll(() => page.getByText('1234567').first().isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.getByTestId('account-card').count()).toBe(0);
    await page.keyboard.press('F1');
    await visible('account-search');
  });

  it('a double Enter after a scan pays once and still shows the change', async () => {
    await scan({ ...BILL, Sum: '10000', PaymPeriod: '082026' });
    await visible('account-card');
    await expect.poll(() => text('total'), { timeout: 10_000 }).toContain('100,');
    const before = await payments();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await visible('payment-result');
    await page.waitForTimeout(300);
    expect(await page.getByTestId('payment-result').isVisible()).toBe(true);
    expect(await payments()).toBe(before + 1);
    await nextPayerArmed();
    await page.keyboard.press('Enter');
    await visible('account-search');
  });

  it('a bill already paid is flagged on the scan; Enter does not pay it again, a deliberate Ctrl+Enter does', async () => {
    const bill = { ...BILL, PaymPeriod: '062026' };
    await scan(bill);
    await visible('account-card');
    await expect.poll(() => text('total'), { timeout: 10_000 }).toContain('50');
    await page.keyboard.press('Enter');
    await visible('payment-result');
    const first = await text('payment-result');
    await nextPayerArmed();
    await page.keyboard.press('Enter');
    await visible('account-search');

    await scan(bill);
    await visible('bill-paid');
    await expect.poll(() => text('total'), { timeout: 10_000 }).toContain('50');
    const number = /Платёж № (\S+)/.exec(first)?.[1] ?? '';
    expect(await text('bill-paid')).toContain(number);
    await shot(page, `desk-40-bill-paid-${size}`);
    const before = await payments();
    await page.keyboard.press('Enter');
    await visible('confirm-box');
    await shot(page, `desk-41-bill-paid-confirm-${size}`);
    await page.keyboard.press('Enter'); // focus is on «Отмена»: Enter does not pay
    await page.waitForTimeout(400);
    expect(await payments()).toBe(before);
    await page.keyboard.press('Enter');
    await visible('confirm-box');
    await page.keyboard.press('Control+Enter');
    await visible('payment-result');
    expect(await payments()).toBe(before + 1);
    await nextPayerArmed();
    await page.keyboard.press('Enter');
    await visible('account-search');
  });

  it('another organisation’s bill whose account number is ours does not open our account', async () => {
    await scan({ ...BILL, Name: 'ООО "Чужая УК"', PayeeINN: '5407123456', PersonalAcc: '40702810900000000001' });
    await expect.poll(() => page.getByText('Чужая УК').first().isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.getByTestId('account-card').count()).toBe(0);
    await shot(page, `desk-42-foreign-bill-${size}`);
  });

  it('an amount far above the debt asks to confirm the advance; an unreadable one says why', async () => {
    await page.getByTestId('account-search').fill('1234567');
    await page.keyboard.press('Enter');
    await visible('account-card');
    await page.getByTestId('total-input').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('12а3');
    await expect.poll(() => text('blocked-reason'), { timeout: 5_000 }).toContain('12а3');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('-100');
    await expect.poll(() => text('blocked-reason'), { timeout: 5_000 }).toMatch(/больше нуля|минус/);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('999999');
    await expect.poll(() => text('overpayment'), { timeout: 5_000 }).toContain('аванс');
    const before = await payments();
    await page.keyboard.press('Enter'); // to «Получено»
    await page.keyboard.press('Enter'); // accept → the confirmation, not the payment
    await visible('confirm-box');
    expect(await text('confirm-box')).toContain('аванс');
    await shot(page, `desk-43-overpayment-${size}`);
    await page.keyboard.press('Escape');
    await page.waitForTimeout(300);
    expect(await payments()).toBe(before);
    expect(await page.getByTestId('confirm-box').count()).toBe(0);
    await page.keyboard.press('Escape');
    await visible('account-search');
  });

  it('a card payment on a standalone terminal needs the approval code from its slip', async () => {
    await page.getByTestId('account-search').fill('1234567');
    await page.keyboard.press('Enter');
    await visible('account-card');
    // The account is paid up by now: the sum is typed (an advance, confirmed below).
    await page.getByTestId('total-input').fill('100');
    await expect.poll(() => text('total'), { timeout: 10_000 }).not.toBe('—');
    await page.keyboard.press('*');
    await visible('card-approval');
    const before = await payments();
    await page.keyboard.press('Enter');
    await expect.poll(() => text('blocked-reason'), { timeout: 5_000 }).toContain('код');
    expect(await payments()).toBe(before);
    await page.getByTestId('card-approval').focus();
    await page.keyboard.type('A1B2C3');
    await page.keyboard.press('Enter');
    await visible('confirm-box');
    await page.keyboard.press('Control+Enter');
    await visible('payment-result');
    expect(await payments()).toBe(before + 1);
    const detail = await desk.api.ok<{ items: { method: string }[] }>('GET', '/api/payments?kind=payments&limit=1');
    expect(detail.items[0]?.method).toBe('card');
    await nextPayerArmed();
    await page.keyboard.press('Enter');
    await visible('account-search');
  });

  it('the Z report asks before it closes the shift', async () => {
    await page.keyboard.press('F9');
    await visible('register-z');
    await page.getByTestId('register-z').focus();
    await page.keyboard.press('Enter');
    await visible('z-confirm');
    await page.waitForTimeout(400); // the dialog's fade-in, for the photograph
    await shot(page, `desk-44-z-confirm-${size}`);
    await page.keyboard.press('Escape');
    await page.waitForTimeout(300);
    expect(((await desk.api.status()) as unknown as { shift: { open: boolean } }).shift.open).toBe(true);
    await page.getByTestId('register-z').focus();
    await page.keyboard.press('Enter');
    await visible('z-confirm');
    await page.getByTestId('z-confirm-yes').press('Enter');
    await expect
      .poll(async () => ((await desk.api.status()) as unknown as { shift: { open: boolean } }).shift.open, { timeout: 15_000 })
      .toBe(false);
    await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 1_000_000 });
    await page.keyboard.press('F1');
    await visible('account-search');
  });
});
