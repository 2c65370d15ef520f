/**
 * Issue 21, electronic receipts (tag 1008), through the desk's API: the payer's phone or e-mail typed
 * as they say it reaches the register normalised and is kept in the journal; a typo is refused before
 * the register is asked and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let desk: Awaited<ReturnType<typeof startTestDesk>>;

beforeAll(async () => {
  server = await startTestServer();
  desk = await startTestDesk(server);
  await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
  await desk.api.login();
  await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
}, 60_000);

afterAll(async () => {
  await desk?.stop();
  if (desk) removeDir(desk.dataDir);
  await server?.close();
});

const sale = (customerContact: string) => ({ kind: 'service', items: [{ code: 'COPY_A4', quantity: 1 }], method: 'cash', customerContact });
const journalSize = async (): Promise<number> => (await desk.api.ok<{ items: unknown[] }>('GET', '/api/payments?limit=200')).items.length;

describe('a receipt sent to the payer’s phone or e-mail', () => {
  it.each([
    ['8 (916) 111-22-33', '+79161112233'],
    ['Ivanova.A@Mail.ru', 'ivanova.a@mail.ru'],
  ])('%s reaches the register as %s and the journal keeps it', async (typed, sent) => {
    const paid = await desk.api.ok<{ paymentId: string; state: string }>('POST', '/api/payments', sale(typed));
    expect(paid.state).toBe('done');
    const view = await desk.api.ok<{ tape: string | null; request?: { customerContact?: string } }>(
      'GET',
      `/api/payments/${paid.paymentId}`,
    );
    expect(view.tape).toContain(`Эл. адр. покупателя: ${sent}`);
    expect(JSON.stringify(view)).toContain(sent);
  });

  it('a typo is refused with the reason, before the register, and nothing is journaled', async () => {
    const before = await journalSize();
    for (const typo of ['ivanova@', '12345', 'позвоните мне']) {
      const r = await desk.api.call<{ code: string; detail: string }>('POST', '/api/payments', sale(typo));
      expect(r.status, typo).toBe(400);
      expect(r.body.code).toBe('validation.failed');
      expect(r.body.detail).toContain('Чек на телефон или e-mail');
    }
    expect(await journalSize()).toBe(before);
  });

  it('the shift report counts the receipts sent to payers', async () => {
    const report = await desk.api.ok<{ electronicReceipts: number }>('GET', '/api/reports/shift?shift=1');
    expect(report.electronicReceipts).toBe(2);
  });
});
