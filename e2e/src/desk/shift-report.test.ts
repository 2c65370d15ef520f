/**
 * The shift report from a known journal, every total to the kopeck: billing in cash and by card, a
 * mobile top-up, a contract service reversed, cash in and out, a cash-up with a shortage; the
 * reconciliation with the virtual register equal, then with a deliberate difference; the same report
 * read back from its PDF and XLSX; the journal export; bad input refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { readPdfText, readXlsx } from '@paydesk/report-kit/testing';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';
import type { ShiftReport } from '@paydesk/desk/src/features/reports/shift-report.ts';

let server: TestStackServer;
let desk: Awaited<ReturnType<typeof startTestDesk>>;

beforeAll(async () => {
  server = await startTestServer();
  desk = await startTestDesk(server);
  await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
  await desk.api.login();
  const pay = (body: object): Promise<{ paymentId: string; totalKop: number; commissionKop: number }> =>
    desk.api.ok('POST', '/api/payments', body);
  await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 500_000 });
  await pay({
    kind: 'billing',
    accountNumber: '1234567',
    lines: [{ serviceCode: 'MAINT', period: '2026-10', amountKop: 40_000 }],
    method: 'cash',
    tenderedKop: 50_000,
  });
  await pay({
    kind: 'billing',
    accountNumber: '1234567',
    lines: [{ serviceCode: 'WATER', period: '2026-10', amountKop: 20_000 }],
    method: 'card',
  });
  await pay({ kind: 'thirdparty', providerCode: 'MTS', account: '9161112233', amountKop: 30_000, method: 'cash' });
  const copies = await pay({ kind: 'service', items: [{ code: 'COPY_A4', quantity: 3 }], method: 'cash' });
  await desk.api.ok('POST', '/api/reversals', { paymentId: copies.paymentId, reason: 'Клиент передумал' });
  await desk.api.ok('POST', '/api/cash/in', { amountKop: 10_000, comment: 'Подкрепление' });
  await desk.api.ok('POST', '/api/cash/out', { amountKop: 100_000, comment: 'Инкассация' });
  const account = await desk.api.ok<{ meters: { id: string }[] }>('GET', '/api/accounts/1234567');
  await desk.api.ok('POST', '/api/readings', { accountNumber: '1234567', meterId: account.meters[0]!.id, value: '1100' });
}, 60_000);

afterAll(async () => {
  await desk.stop();
  removeDir(desk.dataDir);
  await server.close();
});

const report = (query = ''): Promise<ShiftReport> => desk.api.ok<ShiftReport>('GET', `/api/reports/shift${query}`);

async function download(path: string): Promise<{ status: number; type: string | null; disposition: string | null; bytes: Uint8Array }> {
  const r = await fetch(new URL(path, desk.url), { headers: { authorization: `Bearer ${desk.api.token ?? ''}` } });
  return {
    status: r.status,
    type: r.headers.get('content-type'),
    disposition: r.headers.get('content-disposition'),
    bytes: new Uint8Array(await r.arrayBuffer()),
  };
}

describe('the shift report', () => {
  it('adds up every block, service, supplier, provider and method to the kopeck', async () => {
    const r = await report();
    expect(r).toMatchObject({ shiftNumber: 1, state: 'open', cashiers: ['Иванова А.А.'], commissionKop: 800, readingsCount: 1 });
    expect(r.blocks).toEqual([
      {
        key: 'billing',
        name: 'Платежи ЖКУ',
        count: 2,
        sumKop: 60_200,
        commissionKop: 200,
        reversedCount: 0,
        reversedKop: 0,
        netKop: 60_200,
      },
      {
        key: 'thirdparty',
        name: 'Платежи третьим лицам',
        count: 1,
        sumKop: 30_600,
        commissionKop: 600,
        reversedCount: 0,
        reversedKop: 0,
        netKop: 30_600,
      },
      { key: 'service', name: 'Услуги пункта', count: 1, sumKop: 4_500, commissionKop: 0, reversedCount: 1, reversedKop: 4_500, netKop: 0 },
    ]);
    expect(r.byMethod).toEqual([
      { method: 'cash', name: 'Наличными', count: 3, sumKop: 75_100, returnsKop: 4_500, netKop: 70_600 },
      { method: 'card', name: 'Картой', count: 1, sumKop: 20_200, returnsKop: 0, netKop: 20_200 },
    ]);
    expect(r.bySupplier).toEqual([
      { name: 'МУП "Водоканал"', inn: '500100732259', count: 1, amountKop: 20_000, penaltyKop: 0, commissionKop: 200 },
      { name: 'ООО "УК Дом"', inn: '7707083893', count: 1, amountKop: 40_000, penaltyKop: 0, commissionKop: 0 },
    ]);
    expect(r.byService.map((s) => [s.code, s.amountKop])).toEqual([
      ['MAINT', 40_000],
      ['WATER', 20_000],
    ]);
    expect(r.byProvider).toEqual([
      { code: 'MTS', name: 'МТС', count: 1, amountKop: 30_000, commissionKop: 600, confirmed: 0, failed: 0, pending: 1 },
    ]);
    expect(r.byPriceItem).toEqual([{ code: 'COPY_A4', name: 'Ксерокопия А4', quantity: 3, amountKop: 4_500 }]);
    expect(r.reversals).toMatchObject({
      count: 1,
      sumKop: 4_500,
      items: [{ block: 'service', amountKop: 4_500, method: 'cash', reason: 'Клиент передумал' }],
    });
    expect(r.cash).toMatchObject({
      carriedKop: 0,
      openingFloatKop: 500_000,
      cashInKop: 10_000,
      cashOutKop: 100_000,
      salesCashKop: 75_100,
      returnsCashKop: 4_500,
      expectedDrawerKop: 480_600,
      counts: [],
    });
    expect(r.journal).toEqual({
      sales: { count: 4, cashKop: 75_100, cardKop: 20_200 },
      returns: { count: 1, cashKop: 4_500, cardKop: 0 },
      cashInKop: 510_000,
      cashOutKop: 100_000,
      drawerKop: 480_600,
    });
  });

  it('matches the virtual register’s own counters exactly', async () => {
    const r = await report();
    expect(r.registerSource).toBe('live');
    expect(r.register).toEqual(r.journal);
    expect(r.differences).toEqual([]);
  });

  it('a cash-up records the shortage as an operation that reaches the server', async () => {
    const count = await desk.api.ok<{ countId: string; expectedKop: number; differenceKop: number }>('POST', '/api/cash/count', {
      denominations: { '500000': 0, '100000': 4, '50000': 1, '10000': 3, '5000': 0 },
    });
    expect(count).toMatchObject({ expectedKop: 480_600, differenceKop: -600 });
    const r = await report();
    expect(r.cash.counts).toEqual([
      expect.objectContaining({ countedKop: 480_000, expectedKop: 480_600, differenceKop: -600, cashierName: 'Иванова А.А.' }),
    ]);
    await desk.api.waitFor('the cash-up sent', (s) => s.unsentCount === 0);
    const onServer = await server.open.db.selectFrom('cash_ops').selectAll().where('op_id', '=', count.countId).executeTakeFirstOrThrow();
    expect(onServer).toMatchObject({ type: 'counted', amount_kop: 480_000, expected_kop: 480_600, difference_kop: -600 });
  });

  it('a document made on the register behind the journal’s back shows as a red, explained difference', async () => {
    await desk.deps.register.current.cashIn(uuidv7(), { name: 'Вручную' }, 5_000);
    const r = await report();
    expect(r.differences.map((d) => [d.field, d.journal, d.register])).toEqual([
      ['cashInKop', 510_000, 515_000],
      ['drawerKop', 480_600, 485_600],
    ]);
    expect(r.differences[0]?.explanation).toMatch(/не через Paydesk/);
  });

  it('after the Z report the closed shift reconciles against the Z totals', async () => {
    await desk.api.ok('POST', '/api/shift/close', { confirmUnsent: true });
    const r = await report('?shift=1');
    expect(r).toMatchObject({ state: 'closed', registerSource: 'z_report' });
    expect(r.register).toMatchObject({ cashInKop: 515_000, drawerKop: 485_600 });
    expect(r.differences.map((d) => d.field)).toEqual(['cashInKop', 'drawerKop']);
    expect(await report()).toMatchObject({ shiftNumber: 1 });
  });

  it('the PDF reads back with the same figures, Cyrillic intact and DejaVu embedded', async () => {
    const pdf = await download('/api/reports/shift?shift=1&format=pdf');
    expect(pdf).toMatchObject({ status: 200, type: 'application/pdf', disposition: 'attachment; filename="shift-1.pdf"' });
    const back = await readPdfText(pdf.bytes);
    const text = back.text.join('\n').replace(/\u00A0/g, ' ');
    for (const expected of [
      'Отчёт о смене № 1',
      'Платежи ЖКУ',
      'ООО "УК Дом"',
      'Должно быть в ящике',
      '4 806,00',
      '602,00',
      'Расхождения с ККТ',
      'Клиент передумал',
    ])
      expect(text).toContain(expected);
    expect(back.fonts.some((f) => f.includes('DejaVuSans'))).toBe(true);
  });

  it('the XLSX reads back with money as numbers in rubles', async () => {
    const xlsx = await download('/api/reports/shift?shift=1&format=xlsx');
    expect(xlsx.status).toBe(200);
    const sheet = (await readXlsx(xlsx.bytes))['Отчёт']!;
    expect(sheet[0]).toEqual(['Отчёт о смене № 1']);
    expect(sheet).toContainEqual(['Должно быть в ящике', 4806]);
    expect(sheet).toContainEqual(['Платежи ЖКУ', 2, 602, 2, 0, 602]);
    expect(sheet).toContainEqual(['Всего', 4, 953, 8, 45, 908]);
  });

  it('prints on the register as non-fiscal text that fits the tape', async () => {
    const printed = await desk.api.ok<{ printed: number }>('POST', '/api/reports/shift/print', { shift: 1, width: 32 });
    expect(printed.printed).toBeGreaterThan(20);
    const tape = desk.deps.register.virtual!.documents({ limit: 1 })[0]!;
    expect(tape.type).toBe('text');
    expect(tape.tape).toContain('ОТЧЁТ О СМЕНЕ № 1');
  });

  it('exports the journal by period and filter to CSV and XLSX', async () => {
    const csv = await download(`/api/reports/journal?format=csv&kind=payments&from=${encodeURIComponent('2000-01-01T00:00:00Z')}`);
    expect(csv.status).toBe(200);
    const lines = new TextDecoder()
      .decode(csv.bytes)
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('Время;№;Операция;Счёт / получатель;Кассир;Оплата;Сумма;Комиссия;Состояние');
    expect(lines).toHaveLength(5);
    expect(lines.some((l) => l.includes(';Платёж ЖКУ;1234567;') && l.includes(';карта;202,00;2,00;'))).toBe(true);
    const xlsx = await readXlsx((await download('/api/reports/journal?format=xlsx&kind=reversal')).bytes);
    expect(xlsx['Журнал']).toHaveLength(2);
    const json = await desk.api.ok<{ total: number }>('GET', '/api/reports/journal?state=rejected');
    expect(json.total).toBe(0);
  });

  it('refuses bad input with a clear problem and no side effects', async () => {
    const before = desk.deps.register.virtual!.documents({ limit: 200 }).length;
    for (const [path, status] of [
      ['/api/reports/shift?format=doc', 400],
      ['/api/reports/shift?shift=0', 400],
      ['/api/reports/shift?shift=99', 404],
      ['/api/reports/journal?from=yesterday', 400],
      ['/api/reports/journal?limit=100000', 400],
    ] as const) {
      const r = await desk.api.call('GET', path);
      expect(r.status, path).toBe(status);
      expect(typeof (r.body as Record<string, unknown>)['detail'], path).toBe('string');
    }
    expect((await desk.api.call('POST', '/api/reports/shift/print', { width: 40 })).status).toBe(400);
    expect(desk.deps.register.virtual!.documents({ limit: 200 }).length).toBe(before);
    const anonymous = await fetch(new URL('/api/reports/shift?format=pdf', desk.url));
    expect(anonymous.status).toBe(401);
  });
});
