import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeText, txnIdFromOpId } from '@paydesk/domain';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { openDatabase } from '../../db/database.ts';
import { up as upgradeFeedPayloads } from '../../db/migrations/0011-feed-payloads.ts';
import { exampleBody } from '@paydesk/protocol';
import { billingBody, IDS, testServer, type TestServer } from '../../testing/fixture.ts';

describe('billing feed and registries', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await testServer(await pgliteTestDb());
  });
  afterEach(async () => {
    await s.close();
  });

  it('pages the feed by position and never moves an acknowledgement back', async () => {
    const desk = await s.enroll();
    const ops = Array.from({ length: 5 }, () =>
      s.op(
        desk,
        'payment.accepted',
        billingBody({
          lines: [{ serviceCode: 'MAINT', period: '2026-10', amountKop: 100, penaltyKop: 0 }],
          commissionKop: 0,
          totalKop: 100,
          tenderedKop: 100,
        }),
      ),
    );
    await s.pushOk(desk, ops);
    const get = (after: number, limit: number) =>
      s
        .as(s.adminToken)('GET', `/api/v1/billing/feed?after=${after}&limit=${limit}`)
        .then((r) => r.json() as { items: { position: number; opId: string }[]; next: number; hasMore: boolean });
    const p1 = await get(0, 2);
    expect(p1.items).toHaveLength(2);
    expect(p1.hasMore).toBe(true);
    const p2 = await get(p1.next, 10);
    expect(p2.items).toHaveLength(3);
    expect(p2.hasMore).toBe(false);
    expect([...p1.items, ...p2.items].map((i) => i.opId)).toEqual(ops.map((o) => o.opId));
    expect((await s.as(s.adminToken)('POST', '/api/v1/billing/feed/ack', { position: p2.next })).json()).toMatchObject({
      consumer: 'billing',
      position: p2.next,
    });
    expect((await s.as(s.adminToken)('POST', '/api/v1/billing/feed/ack', { position: 1 })).json().position).toBe(p2.next);
    expect((await s.as(s.adminToken)('POST', '/api/v1/billing/feed/ack', { position: p2.next + 100 })).statusCode).toBe(400);
  });

  it('a feed client ahead of a server restored from a backup is told where to continue, not answered an empty page (issue 16 item 5)', async () => {
    const desk = await s.enroll();
    await s.pushOk(desk, [s.op(desk, 'payment.accepted', billingBody())]);
    const snapshot = await (s.open.pglite as NonNullable<typeof s.open.pglite>).dumpDataDir('none');
    await s.pushOk(desk, [s.op(desk, 'payment.accepted', billingBody()), s.op(desk, 'payment.accepted', billingBody())]);
    const page = (await s.as(s.adminToken)('GET', '/api/v1/billing/feed?after=0&limit=100')).json() as {
      next: number;
      incarnation: string;
    };
    expect(page.next).toBe(3);
    expect(page.incarnation).toMatch(/^[0-9a-f-]{36}$/);
    const restored = await testServer(await openDatabase({ loadDataDir: snapshot }), { seed: false });
    try {
      const r = await restored.as(restored.adminToken)('GET', `/api/v1/billing/feed?after=${page.next}&limit=100`);
      expect(r.statusCode).toBe(409);
      expect(r.json()).toMatchObject({ code: 'feed.cursor_ahead', last: 1 });
      const fromThere = (await restored.as(restored.adminToken)('GET', '/api/v1/billing/feed?after=1&limit=100')).json() as {
        items: unknown[];
      };
      expect(fromThere.items).toHaveLength(0);
    } finally {
      await restored.close();
    }
  });

  it('feed payloads a billing can post without joins (issue 24 item 7): a reversal names its account, lines and commission; a reading its meter, the previous value and a number', async () => {
    const desk = await s.enroll();
    const paid = s.op(desk, 'payment.accepted', billingBody());
    const reading = s.op(desk, 'reading.submitted', {
      ...exampleBody('reading.submitted'),
      cashierId: IDS.cashier,
      accountNumber: '1234567',
      meterId: IDS.meter,
      meterSerial: 'ХВ-001',
      serviceCode: 'WATER',
      value: '1030,5',
      readAt: '2026-11-20',
      confirmed: ['reading.jump'],
    });
    await s.pushOk(desk, [paid, reading]);
    await s.pushOk(desk, [
      s.op(desk, 'payment.reversed', {
        ...exampleBody('payment.reversed'),
        cashierId: IDS.cashier,
        originalOpId: paid.opId,
        amountKop: paid.body.totalKop,
      }),
    ]);
    const items = (
      (await s.as(s.adminToken)('GET', '/api/v1/billing/feed?after=0&limit=100')).json() as {
        items: { kind: string; payload: Record<string, unknown> }[];
      }
    ).items;
    const reversal = items.find((i) => i.kind === 'reversal')?.payload;
    expect(reversal).toMatchObject({
      accountNumber: '1234567',
      commissionKop: 512,
      lines: [
        { serviceCode: 'MAINT', period: '2026-10', amountKop: 100_000, penaltyKop: 0, commissionKop: 0 },
        { serviceCode: 'WATER', period: '2026-10', amountKop: 50_000, penaltyKop: 1_234, commissionKop: 512 },
      ],
    });
    const r = items.find((i) => i.kind === 'reading')?.payload;
    expect(r).toMatchObject({
      meterId: IDS.meter,
      value: '1030.5',
      valueMilli: 1_030_500,
      previousValueMilli: 1_000_000,
      previousDate: '2026-10-20',
    });
  });

  it("feed items carry what a billing matches without joins: the txnId of the registries, the point's code, the desk's name, each line's supplier and ИНН (reversals too); at in the organisation's time zone", async () => {
    const desk = await s.enroll('Касса 7');
    const paid = s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T06:05:00Z' }));
    await s.pushOk(desk, [paid]);
    const reversal = s.op(desk, 'payment.reversed', {
      ...exampleBody('payment.reversed'),
      cashierId: IDS.cashier,
      originalOpId: paid.opId,
      amountKop: paid.body.totalKop,
    });
    await s.pushOk(desk, [reversal]);
    const items = (
      (await s.as(s.adminToken)('GET', '/api/v1/billing/feed?after=0&limit=100')).json() as {
        items: { kind: string; opId: string; at: string; payload: Record<string, unknown> }[];
      }
    ).items;
    const payment = items.find((i) => i.kind === 'payment');
    const reversed = items.find((i) => i.kind === 'reversal');
    expect(payment?.at).toBe('2026-11-28T09:05:00+03:00');
    const lines = [
      { serviceCode: 'MAINT', supplierId: IDS.uk, supplierInn: '7707083893' },
      { serviceCode: 'WATER', supplierId: IDS.water, supplierInn: '500100732259' },
    ];
    expect(payment?.payload).toMatchObject({ txnId: txnIdFromOpId(paid.opId), pointCode: 'P1', deskName: 'Касса 7', lines });
    expect(reversed?.payload).toMatchObject({
      txnId: txnIdFromOpId(reversal.opId),
      originalTxnId: txnIdFromOpId(paid.opId),
      pointCode: 'P1',
      deskName: 'Касса 7',
      lines,
    });
  });

  it('feed rows written before item 7 are brought to the documented shape when the server is upgraded, not answered 500', async () => {
    const desk = await s.enroll();
    const paid = s.op(desk, 'payment.accepted', billingBody());
    const reading = s.op(desk, 'reading.submitted', {
      ...exampleBody('reading.submitted'),
      cashierId: IDS.cashier,
      accountNumber: '1234567',
      meterId: IDS.meter,
      meterSerial: 'ХВ-001',
      serviceCode: 'WATER',
      value: '1030,5',
      readAt: '2026-11-20',
      confirmed: ['reading.jump'],
    });
    await s.pushOk(desk, [paid, reading]);
    const reversed = s.op(desk, 'payment.reversed', {
      ...exampleBody('payment.reversed'),
      cashierId: IDS.cashier,
      originalOpId: paid.opId,
      amountKop: paid.body.totalKop,
    });
    await s.pushOk(desk, [reversed]);
    const feed = async () => s.as(s.adminToken)('GET', '/api/v1/billing/feed?after=0&limit=100');
    const today = ((await feed()).json() as { items: { opId: string; payload: Record<string, unknown> }[] }).items;
    // The payloads as the server wrote them before item 7 (commit 4427089^).
    const db = s.open.db;
    await sql`UPDATE billing_feed SET payload = payload - 'accountNumber' - 'commissionKop' - 'lines' - 'pointId' WHERE kind = 'reversal'`.execute(
      db,
    );
    await sql`UPDATE billing_feed SET payload = (payload - 'meterId' - 'valueMilli' - 'valueAsTyped' - 'previousValueMilli' - 'previousDate' - 'pointId') || jsonb_build_object('value', '1030,5') WHERE kind = 'reading'`.execute(
      db,
    );
    expect((await feed()).statusCode).toBe(500);
    await upgradeFeedPayloads(db as never);
    const r = await feed();
    expect(r.statusCode).toBe(200);
    const upgraded = (r.json() as { items: { opId: string; payload: Record<string, unknown> }[] }).items;
    const of = (items: typeof today, opId: string) => items.find((i) => i.opId === opId)?.payload;
    expect(of(upgraded, reversed.opId)).toEqual(of(today, reversed.opId));
    expect(of(upgraded, paid.opId)).toEqual(of(today, paid.opId));
    // What the meter held before the reading is not kept anywhere but the feed: unknown, said so.
    expect(of(upgraded, reading.opId)).toEqual({ ...of(today, reading.opId), previousValueMilli: null, previousDate: null });
  });

  it('a refusal of the integration API speaks Russian (issue 24 item 6)', async () => {
    const r = await s.as(s.adminToken)('GET', '/api/v1/billing/feed?after=0&limit=100000');
    expect(r.statusCode).toBe(400);
    const detail = (r.json() as { detail: string }).detail;
    expect(detail).toMatch(/[а-яё]/i);
    expect(detail).not.toMatch(/Too big|expected/);
  });

  it('builds the Sberbank-style registry of a supplier’s day: the service code, the penalty on a line of its own, totals and the transfer (issue 24 item 12)', async () => {
    const desk = await s.enroll('Касса 1');
    await s.pushOk(desk, [
      s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T10:00:00+03:00' })),
      s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T23:30:00+03:00' })),
      s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-29T00:30:00+03:00' })),
    ]);
    const get = async (): Promise<string[]> => {
      const r = await s.app.inject({
        method: 'GET',
        url: '/api/v1/registries?date=2026-11-28&supplier=500100732259&format=sber',
        headers: { authorization: `Bearer ${s.adminToken}` },
      });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-disposition']).toContain('500100732259_');
      return decodeText(new Uint8Array(r.rawPayload), 'windows-1251').trim().split('\r\n');
    };
    const lines = await get();
    // Water: 500,00 to the supplier with its 5,12 fee, and 12,34 penalty on its own line.
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(
      /^28-11-2026;10-00-00;P1;Касса 1;\d+;1234567;ИВАНОВ ИВАН ИВАНОВИЧ;Г\. ЭНСК, УЛ\. ЛЕНИНА, Д\. 10, КВ\. 5;10\.2026;WATER;505,12;500,00;5,12;$/,
    );
    expect(lines[1]).toMatch(/;10\.2026;WATER-ПЕНИ;12,34;12,34;0,00;$/);
    expect(lines[4]).toBe('=4;1034,92;1024,68;10,24;');
    expect(/^=\d+;(\d+,\d+;){2}/.test(lines[4] ?? '')).toBe(true);
    // The transfer to the supplier, once made: its payment order on the totals line.
    const t = await s.as(s.adminToken)('PUT', '/api/v1/registries/transfers', {
      supplierInn: '500100732259',
      date: '2026-11-28',
      orderNumber: '4512',
      orderDate: '2026-11-30',
      amountKop: 102_468,
    });
    expect(t.statusCode).toBe(200);
    expect((await get())[4]).toBe('=4;1034,92;1024,68;10,24;4512;30-11-2026;');
    const json = (await s.as(s.adminToken)('GET', '/api/v1/registries?date=2026-11-28&supplier=500100732259&format=json')).json() as {
      totals: { payments: number; lines: number };
      transfer: { orderNumber: string; matches: boolean };
    };
    expect(json.totals).toMatchObject({ payments: 2, lines: 2, principalKop: 100_000, penaltyKop: 2_468 });
    expect(json.transfer).toMatchObject({ orderNumber: '4512', matches: true });
  });

  it('CSV and XLSX carry the same rows with code, principal and penalty apart, and count payments right', async () => {
    const desk = await s.enroll();
    await s.pushOk(desk, [
      s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T12:00:00+03:00' })),
      s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T13:00:00+03:00' })),
      s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-28T14:00:00+03:00' })),
    ]);
    const csv = await s.app.inject({
      method: 'GET',
      url: '/api/v1/registries?date=2026-11-28&supplier=500100732259&format=csv',
      headers: { authorization: `Bearer ${s.adminToken}` },
    });
    const rows = csv.body
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(rows[0]).toContain('Код услуги;Услуга;Принято;Основной долг;Пени;К перечислению;Комиссия');
    expect(rows[1]).toMatch(/;10\.2026;WATER;Холодная вода;517,46;500,00;12,34;512,34;5,12$/);
    expect(rows.at(-1)).toMatch(/^Итого;.*3 платежа/);
    const xlsx = await s.app.inject({
      method: 'GET',
      url: '/api/v1/registries?date=2026-11-28&supplier=500100732259&format=xlsx',
      headers: { authorization: `Bearer ${s.adminToken}` },
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(3).getCell(1).value).toBe('Дата');
    // A real date, so Excel sorts and filters by it.
    expect(ws.getRow(4).getCell(1).value).toEqual(new Date('2026-11-28T00:00:00Z'));
    expect(ws.getRow(4).getCell(1).numFmt).toBe('dd.mm.yyyy');
    expect(ws.getRow(4).getCell(6).value).toBe('1234567');
    expect(ws.getRow(4).getCell(10).value).toBe('WATER');
    expect(ws.getRow(4).getCell(13).value).toBe(500);
    expect(ws.getRow(4).getCell(14).value).toBe(12.34);
    expect(ws.getRow(7).getCell(1).value).toBe('Итого');
  });

  it('a readings registry per supplier and period (issue 24 item 12)', async () => {
    const desk = await s.enroll();
    await s.pushOk(desk, [
      s.op(desk, 'reading.submitted', {
        ...exampleBody('reading.submitted'),
        cashierId: IDS.cashier,
        accountNumber: '1234567',
        meterId: IDS.meter,
        meterSerial: 'ХВ-001',
        serviceCode: 'WATER',
        value: '1030,5',
        readAt: '2026-11-20',
        period: '2026-11',
        confirmed: ['reading.jump'],
      }),
    ]);
    const r = await s.as(s.adminToken)('GET', '/api/v1/registries/readings?period=2026-11&supplier=500100732259&format=csv');
    expect(r.statusCode).toBe(200);
    const rows = r.body
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(rows[0]).toBe('Период;Лицевой счёт;ФИО;Адрес;Код услуги;Счётчик;Дата показания;Показание;Предыдущее;Дата предыдущего;Касса');
    expect(rows[1]).toMatch(/^11\.2026;1234567;Иванов Иван Иванович;.*;WATER;ХВ-001;20\.11\.2026;1030,5;1000;20\.10\.2026;/);
    expect(rows).toHaveLength(2);
    // JSON names the meter as the feed does and writes the value as the feed does.
    const json = (await s.as(s.adminToken)('GET', '/api/v1/registries/readings?period=2026-11&supplier=500100732259&format=json')).json();
    expect(json.lines[0]).toMatchObject({
      meterId: IDS.meter,
      meterSerial: 'ХВ-001',
      value: '1030.5',
      valueMilli: 1_030_500,
      previousValue: '1000',
    });
  });

  it('an unknown supplier or a bad date is a clear error', async () => {
    expect((await s.as(s.adminToken)('GET', '/api/v1/registries?date=2026-11-28&supplier=7707083894')).statusCode).toBe(404);
    expect((await s.as(s.adminToken)('GET', '/api/v1/registries?date=2026-13-40&supplier=7707083893')).statusCode).toBe(400);
  });
});
