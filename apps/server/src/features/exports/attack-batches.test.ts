/**
 * Attacks on the promises of docs/integration.md "Registries to suppliers": a batch never changes and
 * neither does its registry; a day's registry is its day batch's; batch `billing` totals are what the
 * feed and the registries add up to; the day is the organisation's; a supplier is named by its ИНН.
 */
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exampleBody } from '@paydesk/protocol';
import { decodeText } from '@paydesk/domain';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { billingBody, IDS, testServer, type TestServer } from '../../testing/fixture.ts';

let s: TestServer;
beforeEach(async () => {
  s = await testServer(await pgliteTestDb());
});
afterEach(async () => {
  await s.close();
});

const UK = '7707083893';
const WATER = '500100732259';
const close = (date: string, body: unknown = {}) => s.as(s.adminToken)('POST', `/api/v1/points/${IDS.point}/days/${date}/close`, body);

/** A registry in every format: `where` is `date=…` or `batch=<id>`. */
async function registry(
  where: string,
  supplier: string,
): Promise<{ sber: string[]; sberName: string; csv: string[]; xlsx: unknown[][]; json: Record<string, unknown> }> {
  const url = (format: string): string =>
    where.startsWith('batch=')
      ? `/api/v1/batches/${where.slice(6)}/registry?supplier=${supplier}&format=${format}`
      : `/api/v1/registries?${where}&supplier=${supplier}&format=${format}`;
  const get = async (format: string) => {
    const r = await s.app.inject({ method: 'GET', url: url(format), headers: { authorization: `Bearer ${s.adminToken}` } });
    expect(r.statusCode, r.body).toBe(200);
    return r;
  };
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await get('xlsx')).rawPayload as unknown as ArrayBuffer);
  const xlsx: unknown[][] = [];
  wb.worksheets[0]?.eachRow((row, n) => n >= 3 && xlsx.push((row.values as unknown[]).slice(1)));
  const sber = await get('sber');
  return {
    sber: decodeText(new Uint8Array(sber.rawPayload), 'windows-1251').trim().split('\r\n'),
    sberName: String(sber.headers['content-disposition']),
    csv: (await get('csv')).body
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n'),
    xlsx,
    json: (await get('json')).json(),
  };
}

const reversal = (original: { opId: string; body: { totalKop: number } }, reversedAt: string, amountKop = original.body.totalKop) => ({
  ...exampleBody('payment.reversed'),
  cashierId: IDS.cashier,
  originalOpId: original.opId,
  amountKop,
  reversedAt,
});

describe('attack: a batch never changes, and neither does its registry', () => {
  it('an accounts import after closing rewrites the ФИО and address of a closed batch’s registry', async () => {
    const desk = await s.enroll();
    await s.pushOk(desk, [s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T10:00:00+03:00' }))]);
    const batch = (await close('2026-11-28')).json() as { id: string };
    const sent = await registry(`batch=${batch.id}`, UK);
    // The billing re-imports the account the next morning: a new owner, a new address.
    const imp = await s.app.inject({
      method: 'POST',
      url: '/api/v1/imports/accounts?wait=true',
      headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'text/csv' },
      payload: 'number;street;owner\n1234567;Победы;Сидоров Сидор\n',
    });
    expect(imp.statusCode, imp.body).toBe(200);
    const later = await registry(`batch=${batch.id}`, UK);
    expect(later.sber).toEqual(sent.sber);
    expect(later.json).toEqual(sent.json);
  });

  it('a supplier’s bank account edited after closing renames a closed batch’s Sber file', async () => {
    const desk = await s.enroll();
    await s.pushOk(desk, [s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T10:00:00+03:00' }))]);
    const batch = (await close('2026-11-28')).json() as { id: string };
    const sent = await registry(`batch=${batch.id}`, WATER);
    const patch = await s.as(s.adminToken)('PATCH', `/api/v1/suppliers/${IDS.water}`, { account: '40702810900000000001' });
    expect(patch.statusCode, patch.body).toBe(200);
    expect((await registry(`batch=${batch.id}`, WATER)).sberName).toBe(sent.sberName);
  });

  it('a reversal that came before its payment: the closed day batch gains «Сторно» lines and billing totals when the payment arrives', async () => {
    const desk1 = await s.enroll('Касса 1');
    const desk2 = await s.enroll('Касса 2');
    // Desk 2 took the payment offline; desk 1 reversed it (the server has the reversal first).
    const paid = s.op(desk2, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T10:00:00+03:00' }));
    await s.pushOk(desk1, [
      s.op(desk1, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T09:00:00+03:00' })),
      s.op(desk1, 'payment.reversed', reversal(paid, '2026-11-28T11:00:00+03:00')),
    ]);
    const closed = (await close('2026-11-28')).json() as { id: string; billing: Record<string, number> };
    const sent = await registry(`batch=${closed.id}`, UK);
    const daySent = await registry('date=2026-11-28', UK);
    expect(daySent).toEqual(sent);
    // Desk 2 comes back online the next day.
    await s.pushOk(desk2, [paid]);
    const after = (await s.as(s.adminToken)('GET', `/api/v1/batches/${closed.id}`)).json() as { billing: Record<string, number> };
    expect(after.billing).toEqual(closed.billing);
    expect((await registry(`batch=${closed.id}`, UK)).sber).toEqual(sent.sber);
    expect((await registry('date=2026-11-28', UK)).sber).toEqual(daySent.sber);
  });
});

describe('attack: batch billing totals are what the feed’s billing items add up to', () => {
  it('a payment reversed twice (two desks, offline): the feed has one reversal, the batch and the registry two', async () => {
    const desk1 = await s.enroll('Касса 1');
    const desk2 = await s.enroll('Касса 2');
    const paid = s.op(desk1, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T10:00:00+03:00' }));
    await s.pushOk(desk1, [paid, s.op(desk1, 'payment.reversed', reversal(paid, '2026-11-28T11:00:00+03:00'))]);
    await s.pushOk(desk2, [s.op(desk2, 'payment.reversed', reversal(paid, '2026-11-28T11:05:00+03:00'))]);
    const feed = (await s.as(s.adminToken)('GET', '/api/v1/billing/feed?after=0&limit=100')).json() as {
      items: { kind: string }[];
    };
    const feedReversals = feed.items.filter((i) => i.kind === 'reversal').length;
    expect(feedReversals).toBe(1);
    const batch = (await close('2026-11-28')).json() as { id: string; billing: { reversalsCount: number; reversedKop: number } };
    expect(batch.billing.reversalsCount).toBe(feedReversals);
    const json = (await registry(`batch=${batch.id}`, WATER)).json as { totals: { reversals: number; transferredKop: number } };
    // Paid once, given back once: the supplier is owed nothing, not −512,34.
    expect(json.totals.transferredKop).toBe(0);
  });

  it('a reversal of another amount than its payment: batch billing reversedKop is not what the registries give back', async () => {
    const desk = await s.enroll();
    const paid = s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T10:00:00+03:00' }));
    await s.pushOk(desk, [paid, s.op(desk, 'payment.reversed', reversal(paid, '2026-11-28T11:00:00+03:00', 1_000))]);
    const batch = (await close('2026-11-28')).json() as { id: string; billing: { acceptedKop: number; reversedKop: number } };
    const uk = (await registry(`batch=${batch.id}`, UK)).json as { totals: { acceptedKop: number } };
    const water = (await registry(`batch=${batch.id}`, WATER)).json as { totals: { acceptedKop: number } };
    // The registries net to zero (the whole payment given back); the batch says 1517,46 − 10,00.
    expect(uk.totals.acceptedKop + water.totals.acceptedKop).toBe(batch.billing.acceptedKop - batch.billing.reversedKop);
  });
});

describe('attack: the day is the organisation’s day', () => {
  it('with the organisation in Yekaterinburg, a payment at 01:00 local on the 29th is in the registry of the 29th', async () => {
    const put = await s.as(s.adminToken)('PUT', '/api/v1/settings', { scope: 'global', key: 'timeZone', value: 'Asia/Yekaterinburg' });
    expect(put.statusCode, put.body).toBe(200);
    const desk = await s.enroll();
    await s.pushOk(desk, [s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-29T01:00:00+05:00' }))]);
    const d29 = (await registry('date=2026-11-29', UK)).json as { totals: { payments: number } };
    const d28 = (await registry('date=2026-11-28', UK)).json as { totals: { payments: number } };
    expect([d28.totals.payments, d29.totals.payments]).toEqual([0, 1]);
  });
});

describe('attack: a supplier named by its ИНН', () => {
  it('two suppliers with one ИНН (a head office and a branch, different КПП): the registry by ИНН silently shows only one', async () => {
    const created = await s.as(s.adminToken)('POST', '/api/v1/suppliers', {
      name: 'ООО "УК Дом", филиал',
      inn: UK,
      kpp: '770701001',
    });
    expect(created.statusCode, created.body).toBe(201);
    const branch = (created.json() as { id: string }).id;
    const svc = await s.as(s.adminToken)('POST', '/api/v1/services', { code: 'MAINT2', name: 'Содержание (филиал)', supplierId: branch });
    expect(svc.statusCode, svc.body).toBe(201);
    const desk = await s.enroll();
    await s.pushOk(desk, [
      s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T10:00:00+03:00' })),
      s.op(
        desk,
        'payment.accepted',
        billingBody({
          acceptedAt: '2026-11-28T11:00:00+03:00',
          lines: [{ serviceCode: 'MAINT2', period: '2026-10', amountKop: 30_000, penaltyKop: 0, commissionKop: 0 }],
          commissionKop: 0,
          totalKop: 30_000,
        }),
      ),
    ]);
    const byInn = await s.app.inject({
      method: 'GET',
      url: `/api/v1/registries?date=2026-11-28&supplier=${UK}&format=json`,
      headers: { authorization: `Bearer ${s.adminToken}` },
    });
    // Either both suppliers' money or a refusal naming the ambiguity — never one of them picked silently.
    if (byInn.statusCode === 200) expect((byInn.json() as { totals: { principalKop: number } }).totals.principalKop).toBe(130_000);
    else expect(byInn.statusCode).toBe(409);
  });
});

describe('attack: the payment order', () => {
  it('a supplier whose only money of the day came late (a correction batch) cannot have its payment order recorded', async () => {
    const desk = await s.enroll();
    const maintOnly = {
      lines: [{ serviceCode: 'MAINT', period: '2026-10', amountKop: 100_000, penaltyKop: 0, commissionKop: 0 }],
      commissionKop: 0,
      totalKop: 100_000,
    };
    await s.pushOk(desk, [s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T10:00:00+03:00', ...maintOnly }))]);
    expect((await close('2026-11-28')).statusCode).toBe(200);
    // An offline desk's water payment of the 28th, after closing: a correction batch.
    await s.pushOk(desk, [s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T18:00:00+03:00' }))]);
    expect((await close('2026-11-28')).statusCode).toBe(200);
    const put = await s.as(s.adminToken)('PUT', '/api/v1/registries/transfers', {
      supplierInn: WATER,
      date: '2026-11-28',
      orderNumber: '77',
      orderDate: '2026-11-29',
      amountKop: 51_234,
    });
    // Водоканал has 512,34 to receive for the 28th; "a day the supplier has nothing in is 409" — it has something.
    expect(put.statusCode, put.body).toBe(200);
  });
});
