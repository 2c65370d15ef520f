/**
 * Issue 21, electronic receipts (tag 1008), through the desk's API: the payer's phone or e-mail typed
 * as they say it reaches the register normalised and is kept in the journal; a typo is refused before
 * the register is asked and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putSetting } from '@paydesk/server/settings';
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

  it('no paper where the point does not allow it: refused before the register, nothing journaled', async () => {
    const before = await journalSize();
    const r = await desk.api.call<{ code: string; detail: string }>('POST', '/api/payments', { ...sale('+79161112233'), paperless: true });
    expect(r.status).toBe(400);
    expect(r.body.detail).toContain('бумажный чек обязателен');
    expect(await journalSize()).toBe(before);
  });

  it('where the point allows it and the payer asks, the receipt goes electronically only: none printed, even without paper', async () => {
    // The administrator allows it (here for every point; per point in the back office).
    await putSetting(server.open.db, 'global', null, 'paperlessReceipts', true, { type: 'system', id: null });
    await desk.api.ok('POST', '/api/test/sync');
    await desk.api.ok('POST', '/api/test/register', { paper: false });
    try {
      // Without the payer's contact there is nowhere to send it.
      const refused = await desk.api.call<{ detail: string }>('POST', '/api/payments', { ...sale(''), paperless: true });
      expect(refused.status).toBe(400);
      expect(refused.body.detail).toContain('телефон или e-mail');
      const paid = await desk.api.ok<{ paymentId: string; state: string; fiscal: { printed?: boolean } }>('POST', '/api/payments', {
        ...sale('ivanova.a@mail.ru'),
        paperless: true,
      });
      expect(paid.state).toBe('done');
      const view = await desk.api.ok<{ tape: string | null }>('GET', `/api/payments/${paid.paymentId}`);
      expect(view.tape).toContain('ОТПРАВЛЕН В ЭЛЕКТРОННОЙ ФОРМЕ');
      // A receipt on paper still needs paper.
      const paper = await desk.api.call<{ code: string }>('POST', '/api/payments', sale('ivanova.a@mail.ru'));
      expect(paper.body.code).toBe('fiscal.paper_out');
    } finally {
      await desk.api.ok('POST', '/api/test/register', { paper: true });
    }
  });

  it('the shift report counts the receipts sent to payers, and those sent without paper', async () => {
    const report = await desk.api.ok<{ electronicReceipts: number; paperlessReceipts: number }>('GET', '/api/reports/shift?shift=1');
    expect(report.electronicReceipts).toBe(3);
    expect(report.paperlessReceipts).toBe(1);
  });
});
