/**
 * Issue 24 item 13: payment batches and day closing («пачки оплат»). A point's day is closed into a
 * batch with totals a billing posts as one document; what arrives after (an offline desk) goes into a
 * correction batch, never silently into a registry already sent.
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

const close = (date: string) => s.as(s.adminToken)('POST', `/api/v1/points/${IDS.point}/days/${date}/close`, {});
const sber = async (query: string): Promise<string[]> => {
  const r = await s.app.inject({
    method: 'GET',
    url: `/api/v1/registries?${query}&supplier=7707083893&format=sber`,
    headers: { authorization: `Bearer ${s.adminToken}` },
  });
  expect(r.statusCode).toBe(200);
  return decodeText(new Uint8Array(r.rawPayload), 'windows-1251').trim().split('\r\n');
};

/** A registry in every format, as an integrator downloads it: `where` is `date=…` (the day's) or `batch=<id>`. */
async function registry(
  where: string,
  supplier: string,
): Promise<{ sber: string[]; csv: string[]; xlsx: unknown[][]; json: Record<string, unknown> }> {
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
  // Row 1 is the title (the supplier and the day); the table is from the header row (3) on.
  wb.worksheets[0]?.eachRow((row, n) => n >= 3 && xlsx.push((row.values as unknown[]).slice(1)));
  return {
    sber: decodeText(new Uint8Array((await get('sber')).rawPayload), 'windows-1251')
      .trim()
      .split('\r\n'),
    csv: (await get('csv')).body
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n'),
    xlsx,
    json: (await get('json')).json(),
  };
}

const reversal = (original: { opId: string; body: { totalKop: number } }, reversedAt: string) => ({
  ...exampleBody('payment.reversed'),
  cashierId: IDS.cashier,
  originalOpId: original.opId,
  amountKop: original.body.totalKop,
  reversedAt,
});

describe('closing a point’s day into batches', () => {
  it('the day batch holds the day’s payments with totals; a late payment goes into a correction batch, not into the day’s registry', async () => {
    const desk = await s.enroll();
    const day = [billingBody({ acceptedAt: '2026-11-28T10:00:00+03:00' }), billingBody({ acceptedAt: '2026-11-28T18:00:00+03:00' })];
    await s.pushOk(
      desk,
      day.map((b) => s.op(desk, 'payment.accepted', b)),
    );
    await s.pushOk(desk, [s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-29T09:00:00+03:00' }))]);
    const r = await close('2026-11-28');
    expect(r.statusCode).toBe(200);
    const batch = r.json() as {
      id: string;
      number: number;
      kind: string;
      paymentsCount: number;
      acceptedKop: number;
      commissionKop: number;
    };
    expect(batch).toMatchObject({ number: 1, kind: 'day', paymentsCount: 2, acceptedKop: 2 * 151_746, commissionKop: 2 * 512 });
    const dayRegistry = await sber('date=2026-11-28');
    expect(dayRegistry.at(-1)).toMatch(/^=2;/);
    // An offline desk sends a payment of the 28th after the day was closed.
    await s.pushOk(desk, [s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T19:30:00+03:00' }))]);
    expect(await sber('date=2026-11-28')).toEqual(dayRegistry);
    const correction = (await close('2026-11-28')).json() as { id: string; number: number; kind: string; paymentsCount: number };
    expect(correction).toMatchObject({ number: 2, kind: 'correction', paymentsCount: 1 });
    const r2 = await s.app.inject({
      method: 'GET',
      url: `/api/v1/batches/${correction.id}/registry?supplier=7707083893&format=sber`,
      headers: { authorization: `Bearer ${s.adminToken}` },
    });
    expect(decodeText(new Uint8Array(r2.rawPayload), 'windows-1251').trim().split('\r\n').at(-1)).toMatch(/^=1;/);
    // Nothing new: closing again makes no empty batch.
    const again = await close('2026-11-28');
    expect(again.statusCode).toBe(409);
    const list = (await s.as(s.adminToken)('GET', '/api/v1/batches?day=2026-11-28')).json() as {
      items: { number: number; kind: string }[];
    };
    expect(list.items.map((b) => [b.number, b.kind])).toEqual([
      [1, 'day'],
      [2, 'correction'],
    ]);
  });

  it('a reversal of a batched payment goes into the batch of the day it happened, with its amount', async () => {
    const desk = await s.enroll();
    const paid = s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T10:00:00+03:00' }));
    await s.pushOk(desk, [paid]);
    await close('2026-11-28');
    await s.pushOk(desk, [
      s.op(desk, 'payment.reversed', {
        ...exampleBody('payment.reversed'),
        cashierId: IDS.cashier,
        originalOpId: paid.opId,
        amountKop: paid.body.totalKop,
        reversedAt: '2026-11-28T11:00:00+03:00',
      }),
    ]);
    const correction = (await close('2026-11-28')).json() as {
      kind: string;
      paymentsCount: number;
      reversalsCount: number;
      reversedKop: number;
    };
    expect(correction).toMatchObject({ kind: 'correction', paymentsCount: 0, reversalsCount: 1, reversedKop: 151_746 });
  });
});

describe('registries and batches as the integrator found them (issue 24 items 12–13)', () => {
  const UK = '7707083893';

  it('A1: the registry of a closed day is its day batch’s registry — same lines, same totals, every format — and closing changes nothing when nothing came late', async () => {
    const desk = await s.enroll('Касса 1');
    const kept = [
      s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T10:00:00+03:00' })),
      s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T12:00:00+03:00' })),
    ];
    const reversed = s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T11:00:00+03:00' }));
    await s.pushOk(desk, [...kept, reversed]);
    // Reversed before the day is closed: the day batch holds the payment and its reversal.
    await s.pushOk(desk, [s.op(desk, 'payment.reversed', reversal(reversed, '2026-11-28T11:30:00+03:00'))]);
    const before = await registry('date=2026-11-28', UK);
    const batch = (await close('2026-11-28')).json() as { id: string; paymentsCount: number; reversalsCount: number };
    expect(batch).toMatchObject({ paymentsCount: 3, reversalsCount: 1 });
    const after = await registry('date=2026-11-28', UK);
    const ofBatch = await registry(`batch=${batch.id}`, UK);
    // The payment reversed that day is in it, and so is its «Сторно» line: 3 × 1000,00 − 1000,00.
    expect(after.sber).toHaveLength(5);
    expect(after.sber.at(-1)).toBe('=4;2000,00;2000,00;0,00;');
    expect(after.csv.filter((l) => l.includes('Сторно: Содержание жилья'))).toHaveLength(1);
    expect(after).toEqual(ofBatch);
    expect(before).toEqual(after);
  });
});

describe('registries and batches: the rest of the integrator’s run (issue 24 items 12–13)', () => {
  const WATER = '500100732259';

  it('A2: in Sber’s layout a reversal is negative lines — its principal with fee and its penalty apart — and the totals net to zero', async () => {
    const desk = await s.enroll();
    const paid = s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T10:00:00+03:00' }));
    await s.pushOk(desk, [paid]);
    await close('2026-11-28');
    await s.pushOk(desk, [s.op(desk, 'payment.reversed', reversal(paid, '2026-11-28T11:00:00+03:00'))]);
    const correction = (await close('2026-11-28')).json() as { id: string };
    const lines = (await registry(`batch=${correction.id}`, WATER)).sber;
    // WATER: 500,00 principal + 5,12 fee, 12,34 penalty — given back.
    expect(lines.slice(0, -1).map((l) => l.split(';').slice(9, 13))).toEqual([
      ['WATER', '-505,12', '-500,00', '-5,12'],
      ['WATER-ПЕНИ', '-12,34', '-12,34', '0,00'],
    ]);
    expect(lines.at(-1)).toBe('=2;-517,46;-512,34;-5,12;');
  });

  it('A2: the payment order of a day is the day batch’s; a correction batch’s registry does not claim it', async () => {
    const desk = await s.enroll();
    await s.pushOk(desk, [s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T10:00:00+03:00' }))]);
    await close('2026-11-28');
    const put = await s.as(s.adminToken)('PUT', '/api/v1/registries/transfers', {
      supplierInn: WATER,
      date: '2026-11-28',
      orderNumber: '512',
      orderDate: '2026-11-29',
      amountKop: 51_234,
    });
    expect(put.statusCode, put.body).toBe(200);
    await s.pushOk(desk, [s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T19:00:00+03:00' }))]);
    const batches = (await s.as(s.adminToken)('GET', '/api/v1/batches?day=2026-11-28')).json() as { items: { id: string }[] };
    const correction = (await close('2026-11-28')).json() as { id: string };
    expect((await registry(`batch=${batches.items[0]?.id ?? ''}`, WATER)).json.transfer).toMatchObject({
      orderNumber: '512',
      matches: true,
    });
    expect((await registry(`batch=${correction.id}`, WATER)).json.transfer).toBeNull();
  });

  it('A3: a day is not closed while a desk of the point has its shift open, unless forced', async () => {
    const desk = await s.enroll();
    await s.pushOk(desk, [
      s.op(desk, 'shift.opened'),
      s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T10:00:00+03:00' })),
    ]);
    const refused = await close('2026-11-28');
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'conflict', reason: 'shifts_open' });
    expect(refused.json().detail).toMatch(/смен/);
    expect((await s.as(s.adminToken)('GET', '/api/v1/batches?day=2026-11-28')).json().items).toEqual([]);
    const forced = await s.as(s.adminToken)('POST', `/api/v1/points/${IDS.point}/days/2026-11-28/close`, { force: true });
    expect(forced.statusCode, forced.body).toBe(200);
  });

  it('B1: a registry counts payments and reversals apart', async () => {
    const desk = await s.enroll();
    const paid = s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T10:00:00+03:00' }));
    await s.pushOk(desk, [paid, s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T10:30:00+03:00' }))]);
    await s.pushOk(desk, [s.op(desk, 'payment.reversed', reversal(paid, '2026-11-28T11:00:00+03:00'))]);
    const totals = (await registry('date=2026-11-28', WATER)).json.totals as Record<string, number>;
    expect(totals).toMatchObject({ payments: 2, reversals: 1, lines: 3 });
  });

  it('B2: a batch says apart what of it is the billing’s — the sums the feed’s billing payments of the batch add up to', async () => {
    const desk = await s.enroll();
    await s.pushOk(desk, [
      s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T10:00:00+03:00' })),
      s.op(desk, 'service.sold', { ...exampleBody('service.sold'), cashierId: IDS.cashier, acceptedAt: '2026-11-28T10:10:00+03:00' }),
    ]);
    const batch = (await close('2026-11-28')).json() as {
      paymentsCount: number;
      billing: { paymentsCount: number; acceptedKop: number; commissionKop: number; reversalsCount: number; reversedKop: number };
    };
    expect(batch.paymentsCount).toBe(2);
    expect(batch.billing).toEqual({ paymentsCount: 1, acceptedKop: 151_746, commissionKop: 512, reversalsCount: 0, reversedKop: 0 });
  });

  it('B3: a payment order for a day that has not come, or with nothing to pay for, is refused', async () => {
    const future = await s.as(s.adminToken)('PUT', '/api/v1/registries/transfers', {
      supplierInn: WATER,
      date: '2099-01-01',
      orderNumber: '1',
      orderDate: '2099-01-02',
      amountKop: 100,
    });
    expect(future.statusCode).toBe(400);
    const empty = await s.as(s.adminToken)('PUT', '/api/v1/registries/transfers', {
      supplierInn: WATER,
      date: '2026-11-20',
      orderNumber: '1',
      orderDate: '2026-11-21',
      amountKop: 100,
    });
    expect(empty.statusCode).toBe(409);
    expect(empty.json().detail).toMatch(/2026-11-20/);
  });

  it('B4: a point is named by its code as well as its id, a supplier by its ИНН as well as its id', async () => {
    const desk = await s.enroll();
    await s.pushOk(desk, [s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T10:00:00+03:00' }))]);
    const byCode = await s.as(s.adminToken)('POST', '/api/v1/points/P1/days/2026-11-28/close', {});
    expect(byCode.statusCode, byCode.body).toBe(200);
    expect((await s.as(s.adminToken)('GET', '/api/v1/batches?point=P1')).json().items).toHaveLength(1);
    const byId = await s.app.inject({
      method: 'GET',
      url: `/api/v1/registries?date=2026-11-28&supplier=${IDS.water}&format=json`,
      headers: { authorization: `Bearer ${s.adminToken}` },
    });
    expect(byId.statusCode, byId.body).toBe(200);
    expect(byId.json().supplier.inn).toBe(WATER);
    expect((await s.as(s.adminToken)('POST', '/api/v1/points/NOPE/days/2026-11-28/close', {})).statusCode).toBe(404);
  });
});
