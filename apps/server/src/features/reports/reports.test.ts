/**
 * The back office's reports from a known set of operations pushed by two desks: every total to the
 * kopeck, filters by period, desk and group, the PDF/XLSX/CSV read back, bad input refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleBody } from '@paydesk/protocol';
import type { ReportDoc, TableSection } from '@paydesk/report-kit';
import { readPdfText, readXlsx } from '@paydesk/report-kit/testing';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { billingBody, IDS, testServer, type TestDesk, type TestServer } from '../../testing/fixture.ts';

let s: TestServer;
let a: TestDesk;
let b: TestDesk;

beforeAll(async () => {
  s = await testServer(await pgliteTestDb());
  a = await s.enroll('Касса А');
  b = await s.enroll('Касса Б');
  const first = [
    s.op(a, 'payment.accepted', billingBody({ number: 'А-1', acceptedAt: '2026-11-28T09:05:00+03:00' })),
    s.op(
      a,
      'payment.accepted',
      billingBody({ number: 'А-2', method: 'card', tenderedKop: undefined, acceptedAt: '2026-11-28T23:30:00+03:00' }),
    ),
    s.op(a, 'thirdparty.accepted', { ...exampleBody('thirdparty.accepted'), cashierId: IDS.cashier, number: 'А-3' }),
  ];
  const service = s.op(a, 'service.sold', { ...exampleBody('service.sold'), cashierId: IDS.cashier });
  await s.pushOk(a, [
    ...first,
    service,
    s.op(a, 'payment.reversed', {
      ...exampleBody('payment.reversed'),
      cashierId: IDS.cashier,
      originalOpId: service.opId,
      amountKop: 4_500,
      reason: 'Не та услуга',
    }),
    s.op(a, 'cash.in', { ...exampleBody('cash.in'), cashierId: IDS.cashier }),
    s.op(a, 'cash.out', { ...exampleBody('cash.out'), cashierId: IDS.cashier }),
    s.op(a, 'cash.counted', { ...exampleBody('cash.counted'), cashierId: IDS.cashier }),
    s.op(a, 'reading.submitted', { ...exampleBody('reading.submitted'), cashierId: IDS.cashier, meterId: IDS.meter }),
    s.op(a, 'correction.made', { ...exampleBody('correction.made'), cashierId: IDS.cashier, approvedBy: IDS.cashier }),
  ]);
  // The day before, on the other desk: outside a one-day period, inside a two-day one.
  await s.pushOk(b, [s.op(b, 'payment.accepted', billingBody({ number: 'Б-1', acceptedAt: '2026-11-27T12:00:00+03:00' }))]);
  await s.app.inject({
    method: 'POST',
    url: '/api/v1/desks/status',
    headers: { authorization: `Bearer ${a.deskKey}` },
    payload: {
      unsentCount: 3,
      oldestUnsentAt: '2026-11-28T10:00:00+03:00',
      rejectedCount: 0,
      shift: { open: true, number: 3, openedAt: '2026-11-26T08:00:00+03:00', expiresAt: null },
    },
  });
}, 60_000);

afterAll(async () => {
  await s.close();
});

async function report(name: string, query: string): Promise<TableSection> {
  const r = await s.as(s.adminToken)('GET', `/api/v1/reports/${name}?${query}`);
  expect(r.statusCode, r.body).toBe(200);
  const doc = r.json<ReportDoc>();
  return doc.sections[0] as TableSection;
}

const DAY = 'from=2026-11-28&to=2026-11-28';

describe('back-office reports', () => {
  it('summary by desk: every block, method, commission and reversal to the kopeck', async () => {
    const t = await report('summary', DAY);
    expect(t.rows.map((r) => r.cells)).toEqual([
      expect.objectContaining({
        label: 'Пункт на Ленина · Касса А',
        billingCount: 2,
        billingKop: 303_492,
        thirdpartyCount: 1,
        thirdpartyKop: 30_600,
        serviceCount: 1,
        serviceKop: 4_500,
        cashKop: 151_746 + 4_500,
        cardKop: 151_746 + 30_600,
        commissionKop: 512 * 2 + 600,
        reversedCount: 1,
        reversedKop: 4_500,
        netKop: 303_492 + 30_600,
      }),
    ]);
    expect(t.totals?.cells).toMatchObject({ label: 'Итого', netKop: 334_092 });
  });

  it('the period is whole days in the organisation’s time zone; groups by day', async () => {
    const t = await report('summary', 'from=2026-11-27&to=2026-11-28&groupBy=day');
    expect(t.rows.map((r) => [r.cells['label'], r.cells['billingCount'], r.cells['netKop']])).toEqual([
      ['2026-11-27', 1, 151_746],
      ['2026-11-28', 2, 334_092],
    ]);
    const onlyB = await report('summary', `from=2026-11-27&to=2026-11-28&desk=${b.deskId}`);
    expect(onlyB.rows.map((r) => r.cells['label'])).toEqual(['Пункт на Ленина · Касса Б']);
  });

  it('suppliers per day: the registry totals, without reversed payments', async () => {
    const t = await report('suppliers', DAY);
    expect(t.rows.map((r) => r.cells)).toEqual([
      {
        day: '2026-11-28',
        supplier: 'МУП "Водоканал"',
        inn: '500100732259',
        payments: 2,
        lines: 2,
        amountKop: 100_000,
        penaltyKop: 2_468,
        commissionKop: 1_024,
      },
      {
        day: '2026-11-28',
        supplier: 'ООО "УК Дом"',
        inn: '7707083893',
        payments: 2,
        lines: 2,
        amountKop: 200_000,
        penaltyKop: 0,
        commissionKop: 0,
      },
    ]);
  });

  it('providers, commission, reversals, cash-ups, readings', async () => {
    expect((await report('providers', DAY)).rows.map((r) => r.cells)).toEqual([
      {
        day: '2026-11-28',
        provider: 'МТС',
        count: 1,
        amountKop: 30_000,
        commissionKop: 600,
        confirmed: 0,
        inTransit: 1,
        failed: 0,
        reversed: 0,
      },
    ]);
    const commission = await report('commission', DAY);
    expect(commission.rows.map((r) => [r.cells['source'], r.cells['name'], r.cells['commissionKop']])).toEqual([
      ['ЖКУ', 'МУП "Водоканал"', 1_024],
      ['ЖКУ', 'ООО "УК Дом"', 0],
      ['Третьи лица', 'МТС', 600],
    ]);
    expect(commission.totals?.cells['commissionKop']).toBe(1_624);
    const reversals = await report('reversals', DAY);
    expect(reversals.rows.map((r) => r.cells)).toEqual([
      expect.objectContaining({ number: 'К1-000006', reason: 'Не та услуга', amountKop: 4_500, method: 'наличные' }),
    ]);
    // Issue 21: a correction receipt, with its basis and the senior who issued it.
    const corrections = await report('corrections', DAY);
    expect(corrections.rows.map((r) => r.cells)).toEqual([
      expect.objectContaining({
        number: 'К1-000042',
        direction: 'прихода',
        correctionType: 'самостоятельно',
        basis: '27.11.2026 № 1',
        totalKop: 25_000,
        method: 'наличные',
      }),
    ]);
    expect(corrections.totals?.cells['totalKop']).toBe(25_000);
    const cash = await report('cash', DAY);
    expect(cash.rows.map((r) => [r.cells['type'], r.cells['amountKop'], r.cells['differenceKop'], r.emphasis ?? null])).toEqual([
      ['Внесение', 500_000, null, null],
      ['Выплата', 1_000_000, null, null],
      ['Пересчёт', 99_900, -100, 'bad'],
    ]);
    const readings = await report('readings', DAY);
    expect(readings.rows.map((r) => r.cells)).toEqual([
      { supplier: 'МУП "Водоканал"', period: '2026-12', service: 'Холодная вода', readings: 1, accounts: 1, onReview: 0 },
    ]);
  });

  it('desks needing attention: a shift open past 24 hours, unsent operations, a desk never seen', async () => {
    const t = await report('desks', '');
    const byDesk = Object.fromEntries(t.rows.map((r) => [r.cells['desk'], r]));
    expect(byDesk['Касса А']?.cells['problems']).toBe('смена открыта больше 24 ч; не отправлено операций: 3');
    expect(byDesk['Касса А']?.emphasis).toBe('bad');
  });

  it('PDF, XLSX and CSV carry the same figures', async () => {
    const get = (format: string) =>
      s.app.inject({
        method: 'GET',
        url: `/api/v1/reports/summary?${DAY}&format=${format}`,
        headers: { authorization: `Bearer ${s.adminToken}` },
      });
    const pdf = await get('pdf');
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = (await readPdfText(pdf.rawPayload)).text.join('\n').replace(/\u00A0/g, ' ');
    expect(text).toContain('Сводка по приёму платежей');
    expect(text).toContain('3 340,92');
    const xlsx = await readXlsx((await get('xlsx')).rawPayload);
    expect(xlsx['Сводка']?.[1]).toEqual(['Пункт на Ленина · Касса А', 2, 3034.92, 1, 306, 45, 1562.46, 1823.46, 16.24, 45, 3340.92]);
    const csv = (await get('csv')).rawPayload.toString('utf8').split('\r\n');
    expect(csv[1]).toBe('Пункт на Ленина · Касса А;2;3034,92;1;306,00;45,00;1562,46;1823,46;16,24;45,00;3340,92');
  });

  it('refuses bad input with a problem and does not run', async () => {
    const admin = s.as(s.adminToken);
    for (const [url, status] of [
      ['/api/v1/reports/summary?from=2026-11-29&to=2026-11-28', 400],
      ['/api/v1/reports/summary?from=2024-01-01&to=2026-11-28', 400],
      ['/api/v1/reports/summary?from=yesterday', 400],
      ['/api/v1/reports/nonsense', 400],
      ['/api/v1/reports/summary?format=doc', 400],
      [`/api/v1/reports/summary?point=${IDS.cashier}`, 404],
    ] as const) {
      const r = await admin('GET', url);
      expect(r.statusCode, url).toBe(status);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
    expect((await s.app.inject({ method: 'GET', url: '/api/v1/reports/summary' })).statusCode).toBe(401);
    expect(
      (await s.app.inject({ method: 'GET', url: '/api/v1/reports/summary', headers: { authorization: `Bearer ${a.deskKey}` } })).statusCode,
    ).toBe(403);
  });
});
