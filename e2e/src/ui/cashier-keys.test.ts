/**
 * Issue 19 items 6, 7, 8, 9 and 14: the keyboard always. The header fits a 1024-pixel monitor; the key of
 * the screen you are on never wipes what you type a moment later; after X, Z, cash in or out the focus
 * is back on the register's buttons, not on the page; X, Z, cash in and out have hotkeys from any
 * screen; Ctrl+L locks the desk and keeps the shift.
 */
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';
import { launchBrowser, shot } from './browser.ts';

const UI_DIR = fileURLToPath(new URL('../../../apps/desk-ui/dist', import.meta.url));

let server: TestStackServer;
let desk: Awaited<ReturnType<typeof startTestDesk>>;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  desk = await startTestDesk(server, { uiDir: UI_DIR });
  await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
  await desk.api.login();
  await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 500_000 });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await desk?.stop();
  if (desk) removeDir(desk.dataDir);
  await server?.close();
});

const shiftOpen = async (): Promise<boolean> => ((await desk.api.status()) as unknown as { shift: { open: boolean } }).shift.open;

describe.each([
  { width: 1024, height: 768 },
  { width: 1440, height: 900 },
])('at $width×$height', ({ width, height }) => {
  let page: Page;
  const visible = (testId: string, timeout = 10_000) => page.getByTestId(testId).first().waitFor({ state: 'visible', timeout });
  const focused = (): Promise<string | null> =>
    page.evaluate('document.activeElement?.getAttribute("data-testid") ?? document.activeElement?.tagName ?? null');
  const signIn = async (): Promise<void> => {
    await visible('login');
    await page.keyboard.type('cashier');
    await page.keyboard.press('Tab');
    await page.keyboard.type('paydesk-demo');
    await page.keyboard.press('Enter');
    await visible('account-search');
  };

  beforeAll(async () => {
    const context = await browser.newContext({ viewport: { width, height }, locale: 'ru-RU', timezoneId: 'Europe/Moscow' });
    page = await context.newPage();
    await page.goto(desk.url);
    await signIn();
  });

  afterAll(async () => {
    await page.context().close();
  });

  it('the header fits: every section on one line, «Выйти» whole on the screen', async () => {
    const one = await page.getByTestId('nav-billing').boundingBox();
    for (const key of ['thirdParty', 'readings', 'journal', 'reports', 'register']) {
      const box = await page.getByTestId(`nav-${key}`).boundingBox();
      expect(box?.height, key).toBeLessThanOrEqual((one?.height ?? 0) + 1);
    }
    const out = await page.getByTestId('logout').boundingBox();
    expect((out?.x ?? 0) + (out?.width ?? 0)).toBeLessThanOrEqual(width);
    await shot(page, `desk-45-header-${width}`);
  });

  it('the key of the screen you are on does not wipe what you type after it', async () => {
    await page.keyboard.press('F1');
    await page.getByTestId('account-search').focus();
    await page.keyboard.type('ленина');
    await page.waitForTimeout(2_500); // past the status poll that used to reset the screen
    expect(await page.getByTestId('account-search').inputValue()).toBe('ленина');
    await page.getByTestId('account-search').fill('');
  });

  it('X, cash in and Z from any screen by hotkeys; the focus comes back to the register’s buttons', async () => {
    await page.keyboard.press('Alt+KeyX');
    await visible('x-totals');
    await expect.poll(focused, { timeout: 5_000 }).toBe('register-x');
    await page.keyboard.press('F1');
    await visible('account-search');
    await page.keyboard.press('Alt+Equal');
    await visible('register-amount');
    await page.keyboard.type('100');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('register-message').first().textContent(), { timeout: 10_000 }).toContain('Готово');
    await expect.poll(focused, { timeout: 5_000 }).toBe('register-cash_in');
    await page.keyboard.press('Alt+KeyZ');
    await visible('z-confirm');
    await page.keyboard.press('Escape');
    await expect.poll(focused, { timeout: 5_000 }).toBe('register-z');
    expect(await shiftOpen()).toBe(true);
    await shot(page, `desk-46-register-hotkeys-${width}`);
  });

  it('a mobile top-up by keys alone: the arrows choose the provider, typing lands in its number, Enter walks on', async () => {
    let keys = 0;
    const press = async (key: string): Promise<void> => {
      keys++;
      await page.keyboard.press(key);
    };
    const type = async (text: string): Promise<void> => {
      keys += text.length;
      await page.keyboard.type(text);
    };
    await press('F2');
    await visible('provider-search');
    await type('мтс');
    await press('Enter');
    await visible('provider-account');
    expect(await focused()).toBe('provider-account');
    await type('9161112233');
    expect(await page.getByTestId('provider-account').inputValue()).toBe('+7 (916) 111-22-33');
    await press('Enter');
    await type('300');
    await expect.poll(() => page.getByTestId('provider-commission').first().textContent(), { timeout: 10_000 }).toContain('6,00');
    await press('Enter');
    await visible('payment-result');
    // F2, «мтс», Enter, the number, Enter, the sum, Enter (exact money: «Получено» is for change, by Tab).
    expect(keys).toBe(1 + 3 + 1 + 10 + 1 + 3 + 1);
    await page.locator('[data-testid="next-payer"][data-armed="true"]').waitFor({ timeout: 5_000 });
    await page.keyboard.press('Enter');
    await visible('provider-search');
    await page.keyboard.press('ArrowDown');
    expect(await page.locator('[data-highlighted="true"]').count()).toBe(1);
  });

  it('«мтс» and Enter typed before the desk has listed the providers still open МТС, not the price list', async () => {
    await page.keyboard.press('F1');
    await visible('account-search');
    // A busy desk: the list of providers answers a second and a half after the screen opens.
    await page.route('**/api/providers', async (route) => {
      await new Promise((r) => setTimeout(r, 1_500));
      await route.continue();
    });
    try {
      await page.keyboard.press('F2');
      await visible('provider-search');
      await page.keyboard.type('мтс');
      await page.keyboard.press('Enter');
      await visible('provider-account');
      expect(await focused()).toBe('provider-account');
    } finally {
      await page.unroute('**/api/providers');
    }
    await page.keyboard.press('F1');
  });

  it('a mobile top-up by the number first: F2, the number, the sum and Enter — 15 keys', async () => {
    let keys = 0;
    const press = async (key: string): Promise<void> => {
      keys++;
      await page.keyboard.press(key);
    };
    const type = async (text: string): Promise<void> => {
      keys += text.length;
      await page.keyboard.type(text);
    };
    await page.keyboard.press('F1');
    await press('F2');
    await visible('provider-search');
    // The whole number, which only one operator's codes take: its form opens with the number, the focus in the sum.
    await type('9161112233');
    await visible('provider-account');
    expect(await page.getByTestId('provider-account').inputValue()).toBe('+7 (916) 111-22-33');
    await expect.poll(focused).toBe('provider-amount');
    await type('300');
    await expect.poll(() => page.getByTestId('provider-commission').first().textContent(), { timeout: 10_000 }).toContain('6,00');
    await press('Enter');
    await visible('payment-result');
    expect(await page.getByTestId('payment-result').textContent()).toMatch(/306,00\s₽/);
    // The receipt's tape comes a moment after the result: the provider is named on it.
    await expect.poll(() => page.getByTestId('payment-result').textContent(), { timeout: 10_000 }).toContain('МТС');
    expect(keys).toBe(15);
    await page.locator('[data-testid="next-payer"][data-armed="true"]').waitFor({ timeout: 5_000 });
    await page.keyboard.press('Enter');
    // The next payer starts from an empty search.
    await visible('provider-search');
    expect(await page.getByTestId('provider-search').inputValue()).toBe('');
  });

  it('a receipt to the payer’s phone (issue 21, tag 1008): typed as said, printed normalised, the field empty for the next payer', async () => {
    await page.keyboard.press('F1');
    await page.keyboard.press('F2');
    await visible('provider-search');
    await page.keyboard.type('9161112233');
    await expect.poll(focused).toBe('provider-amount');
    await page.keyboard.type('100');
    await expect.poll(() => page.getByTestId('provider-commission').first().textContent(), { timeout: 10_000 }).toContain('2,00');
    await page.getByTestId('customer-contact').fill('8 (916) 555-44-33');
    await shot(page, `desk-49-receipt-contact-${width}`);
    await page.keyboard.press('Enter');
    await visible('payment-result');
    await expect
      .poll(() => page.getByTestId('payment-result').textContent(), { timeout: 10_000 })
      .toContain('Эл. адр. покупателя: +79165554433');
    await shot(page, `desk-50-receipt-contact-sent-${width}`);
    await page.locator('[data-testid="next-payer"][data-armed="true"]').waitFor({ timeout: 5_000 });
    await page.keyboard.press('Enter');
    await visible('provider-search');
    await page.keyboard.type('9161112233');
    await expect.poll(focused).toBe('provider-amount');
    expect(await page.getByTestId('customer-contact').inputValue()).toBe('');
    await page.keyboard.press('F1');
  });

  it('a card through the connected terminal (issue 21): the sum goes to the terminal, a decline says why, the approval is shown', async () => {
    await page.keyboard.press('F1');
    await page.keyboard.press('F2');
    await visible('provider-search');
    await page.keyboard.type('9161112233');
    await expect.poll(focused).toBe('provider-amount');
    await page.keyboard.type('150');
    await expect.poll(() => page.getByTestId('provider-commission').first().textContent(), { timeout: 10_000 }).toContain('3,00');
    await page.keyboard.press('*');
    await visible('card-terminal-hint');
    expect(await page.getByTestId('card-approval').count()).toBe(0);
    // The first card is declined by the bank: nothing is taken, the reason is on the screen.
    await desk.api.ok('POST', '/api/test/terminal', {
      present: [
        { answer: 'decline', code: '51' },
        { answer: 'approve', delayMs: 1_500 },
      ],
    });
    await expect.poll(focused).toBe('accept');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('payment-error').textContent(), { timeout: 10_000 }).toContain('недостаточно средств');
    await shot(page, `desk-51-card-declined-${width}`);
    // Another card: the desk waits for the payer at the terminal, then prints the receipt.
    await page.getByTestId('accept').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('card-terminal-hint').textContent(), { timeout: 5_000 }).toContain('Приложите карту');
    await shot(page, `desk-52-card-waiting-${width}`);
    await visible('result-card');
    expect(await page.getByTestId('result-card').textContent()).toMatch(/\*{4}\d{4}.*RRN \d{12}/);
    await shot(page, `desk-53-card-paid-${width}`);
    await page.locator('[data-testid="next-payer"][data-armed="true"]').waitFor({ timeout: 5_000 });
    await page.keyboard.press('Enter');
    await visible('provider-search');
    await page.keyboard.press('*');
    await page.keyboard.press('F1');
  });

  it('the terminal on the «ККМ» screen: the settlement beside the desk’s card journal', async () => {
    await page.keyboard.press('F9');
    await visible('card-terminal');
    await page.getByTestId('card-settlement').click();
    await visible('card-settlement-result');
    expect(await page.getByTestId('card-message').textContent()).toContain('совпали');
    await page.getByTestId('card-terminal').scrollIntoViewIfNeeded();
    await shot(page, `desk-54-card-settlement-${width}`);
    await page.keyboard.press('F1');
  });

  it('a correction receipt from «ККМ» (issue 21): the basis, the sum, a senior’s password; one document', async () => {
    await page.keyboard.press('F9');
    await visible('register-correction');
    const before = (await desk.api.ok<{ items: unknown[] }>('GET', '/api/test/receipts')).items.length;
    await page.getByTestId('register-correction').click();
    await visible('correction-dialog');
    await page.getByTestId('correction-number').fill('3');
    await page.getByTestId('correction-description').fill('Приём платежа без чека, л/с 1234567');
    await page.getByTestId('correction-amount').fill('250');
    await page.getByLabel('Логин старшего кассира').fill('senior');
    await page.getByLabel('Пароль старшего кассира').fill('paydesk-demo');
    await shot(page, `desk-55-correction-${width}`);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('register-message').textContent(), { timeout: 10_000 }).toContain('Чек коррекции');
    expect((await desk.api.ok<{ items: unknown[] }>('GET', '/api/test/receipts')).items).toHaveLength(before + 1);
    await shot(page, `desk-56-correction-done-${width}`);
    await page.keyboard.press('F1');
  });

  it('a number no provider takes says so, and names stay searchable', async () => {
    await page.keyboard.press('F2');
    await visible('provider-search');
    await page.keyboard.type('1234567');
    await visible('provider-none');
    expect(await page.getByTestId('provider-MTS').count()).toBe(0);
    await page.getByTestId('provider-search').fill('мтс');
    await visible('provider-MTS');
    await page.keyboard.press('F1');
  });

  it('the price list by keys: Enter in a quantity goes down the list, then to the payment', async () => {
    await page.keyboard.press('F2');
    await visible('provider-search');
    await page.keyboard.type('ксерокопия');
    await page.keyboard.press('Enter'); // no provider matches: the price list is the one choice
    await visible('qty-COPY_A4');
    expect(await focused()).toBe('qty-COPY_A4');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2');
    const rows = await page.locator('[data-testid^="qty-"]').count();
    for (let i = 0; i < rows; i++) await page.keyboard.press('Enter');
    expect(await focused()).toBe('tendered');
    await page.keyboard.press('Enter');
    await visible('payment-result');
    await page.locator('[data-testid="next-payer"][data-armed="true"]').waitFor({ timeout: 5_000 });
    await page.keyboard.press('Enter');
  });

  it('a copy of any receipt from the journal: the same fiscal document printed again; the journal names the cashier', async () => {
    await page.keyboard.press('F4');
    await expect.poll(() => page.locator('tbody tr[data-kind]').count(), { timeout: 10_000 }).toBeGreaterThan(1);
    expect(await page.locator('tbody tr[data-kind]').first().textContent()).toContain('Иванова');
    const tape = async (): Promise<number> => (await desk.api.ok<{ items: unknown[] }>('GET', '/api/register/tape?limit=200')).items.length;
    const before = await tape();
    // An older payment, not the last one: the second payment row.
    const rows = page.locator('tbody tr[data-kind]');
    const kinds: (string | null)[] = [];
    for (const row of await rows.all()) kinds.push(await row.getAttribute('data-kind'));
    const target = kinds.findIndex((k, i) => i > 0 && (k === 'billing' || k === 'thirdparty' || k === 'service'));
    for (let i = 0; i < target; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await visible('receipt-copy');
    await page.getByTestId('receipt-copy').focus();
    await page.keyboard.press('Enter');
    await expect.poll(tape, { timeout: 10_000 }).toBe(before + 1);
    await page.keyboard.press('Escape');
  });

  it('Ctrl+L locks the desk: the sign-in screen says who locked it, the shift stays open', async () => {
    await page.keyboard.press('F1');
    await visible('account-search');
    await page.keyboard.press('Control+KeyL');
    await visible('locked');
    await shot(page, `desk-47-locked-${width}`);
    expect(await shiftOpen()).toBe(true);
    await signIn();
  });
});
