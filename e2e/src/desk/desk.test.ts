/**
 * A real server and a real desk over HTTP: enrollment, the first pull, sign-in, the cashier's
 * operations, exactly one payment on the server and one receipt in the register.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { openJournal } from '@paydesk/desk';
import { DeskApi, FAST_SYNC, removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let desk: Awaited<ReturnType<typeof startTestDesk>>;

beforeAll(async () => {
  server = await startTestServer();
  desk = await startTestDesk(server);
  await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
  await desk.api.login();
});

afterAll(async () => {
  await desk.stop();
  removeDir(desk.dataDir);
  await server.close();
});

const receipts = async (): Promise<{ operationId: string; kind: string; totalKop: number }[]> =>
  (await desk.api.ok<{ items: { operationId: string; kind: string; totalKop: number }[] }>('GET', '/api/test/receipts')).items;
const serverPayments = async (): Promise<{ op_id: string; total_kop: number }[]> =>
  server.open.db.selectFrom('payments').select(['op_id', 'total_kop']).execute();

describe('the desk with a real server', () => {
  it('a first pull in pages of three (each fetched while the last is written) holds what one big page holds', async () => {
    const small = await startTestDesk(server, { sync: { ...FAST_SYNC, pullPageSize: 3 } });
    try {
      await small.api.waitFor('first pull in small pages', (s) => s.reference.loaded);
      const tables = ['accounts', 'charges', 'meters', 'services', 'suppliers', 'providers', 'price_items', 'users', 'settings'];
      const dump = (dir: string): Record<string, unknown[]> => {
        const db = openJournal(`${dir}/journal.sqlite`);
        try {
          return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()]));
        } finally {
          db.close();
        }
      };
      const paged = dump(small.dataDir);
      expect(Object.values(paged).flat().length).toBeGreaterThan(9);
      expect(paged).toEqual(dump(desk.dataDir));
    } finally {
      await small.stop();
      removeDir(small.dataDir);
    }
  });

  it('reports itself to the server with the cashier signed in, as the back office shows it', async () => {
    const cashier = await server.open.db.selectFrom('users').select('name').where('login', '=', 'cashier').executeTakeFirstOrThrow();
    await expect
      .poll(
        async () => {
          const rows = await server.open.db.selectFrom('desks').select('status').execute();
          return rows.map(
            (r) => ((typeof r.status === 'string' ? JSON.parse(r.status) : r.status) as { cashier?: string } | null)?.cashier,
          );
        },
        { timeout: 10_000 },
      )
      .toContain(cashier.name);
  });

  it('finds accounts by number, address as typed, name and ЕЛС', async () => {
    for (const q of ['1234567', '12345', 'ленина 10 5', 'ул. Ленина, д.10', 'иванов', '20МВ875415']) {
      const r = await desk.api.ok<{ items: { number: string }[] }>('GET', `/api/accounts?q=${encodeURIComponent(q)}`);
      expect(
        r.items.map((i) => i.number),
        q,
      ).toContain('1234567');
    }
    const a = await desk.api.ok<{
      debts: { serviceCode: string; debtKop: number; penaltyDebtKop: number }[];
      meters: unknown[];
      totalDebtKop: number;
    }>('GET', '/api/accounts/1234567');
    expect(a.debts.map((d) => [d.serviceCode, d.debtKop, d.penaltyDebtKop])).toEqual([
      ['MAINT', 100_000, 0],
      ['WATER', 50_000, 1_234],
    ]);
    expect(a.totalDebtKop).toBe(151_234);
  });

  it('refuses a payment while the shift is closed, then takes one after it is opened', async () => {
    const closed = await desk.api.call('POST', '/api/payments', {
      kind: 'billing',
      accountNumber: '1234567',
      amountKop: 10_000,
      method: 'cash',
    });
    expect(closed.status).toBe(409);
    expect(closed.body['code']).toBe('shift.closed');
    const opened = await desk.api.ok<{ shiftNumber: number }>('POST', '/api/shift/open', { openingFloatKop: 500_000 });
    expect(opened.shiftNumber).toBe(1);
  });

  it('a partial payment is allocated across the debts; one receipt, one payment on the server', async () => {
    const opId = uuidv7();
    const body = { opId, kind: 'billing', accountNumber: '1234567', amountKop: 75_000, method: 'cash', tenderedKop: 100_000 };
    const paid = await desk.api.ok<{
      state: string;
      totalKop: number;
      commissionKop: number;
      changeKop: number;
      fiscal: { documentNumber: number };
    }>('POST', '/api/payments', body);
    expect(paid.state).toBe('done');
    // 75 000 spread 2:1 over the principal debts (1000 and 500 ₽); the water supplier charges 1 % on top.
    expect(paid.commissionKop).toBe(250);
    expect(paid.totalKop).toBe(75_250);
    expect(paid.changeKop).toBe(100_000 - 75_250);
    const again = await desk.api.ok<{ fiscal: { documentNumber: number } }>('POST', '/api/payments', body);
    expect(again.fiscal.documentNumber).toBe(paid.fiscal.documentNumber);
    expect((await receipts()).filter((r) => r.operationId === opId)).toHaveLength(1);
    await desk.api.waitFor('push', (s) => s.unsentCount === 0);
    expect((await serverPayments()).filter((p) => p.op_id === opId)).toEqual([{ op_id: opId, total_kop: 75_250 }]);
    const lines = await server.open.db
      .selectFrom('payment_lines')
      .select(['code', 'amount_kop', 'commission_kop'])
      .where('op_id', '=', opId)
      .orderBy('code')
      .execute();
    expect(lines).toEqual([
      { code: 'MAINT', amount_kop: 50_000, commission_kop: 0 },
      { code: 'WATER', amount_kop: 25_000, commission_kop: 250 },
    ]);
    // The debt the cashier sees is lower at once, and stays right after the server's figures come back.
    const a = await desk.api.ok<{ debts: { serviceCode: string; debtKop: number }[] }>('GET', '/api/accounts/1234567');
    expect(a.debts.map((d) => d.debtKop)).toEqual([50_000, 25_000]);
    await desk.deps.sync.pull();
    const b = await desk.api.ok<{ debts: { serviceCode: string; debtKop: number }[] }>('GET', '/api/accounts/1234567');
    expect(b.debts.map((d) => d.debtKop)).toEqual([50_000, 25_000]);
  });

  it('a double Enter (two requests at once) yields one payment and one receipt', async () => {
    const opId = uuidv7();
    const body = {
      opId,
      kind: 'billing',
      accountNumber: '1234567',
      lines: [{ serviceCode: 'MAINT', period: '2026-10', amountKop: 1_000 }],
      method: 'card',
    };
    const [a, b] = await Promise.all([desk.api.call('POST', '/api/payments', body), desk.api.call('POST', '/api/payments', body)]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body['paymentId']).toBe(b.body['paymentId']);
    expect((await receipts()).filter((r) => r.operationId === opId)).toHaveLength(1);
  });

  it('the same op id with another request is refused and changes nothing', async () => {
    const opId = uuidv7();
    await desk.api.ok('POST', '/api/payments', {
      opId,
      kind: 'billing',
      accountNumber: '1234567',
      lines: [{ serviceCode: 'MAINT', period: '2026-10', amountKop: 500 }],
      method: 'cash',
    });
    const other = await desk.api.call('POST', '/api/payments', {
      opId,
      kind: 'billing',
      accountNumber: '1234567',
      lines: [{ serviceCode: 'MAINT', period: '2026-10', amountKop: 700 }],
      method: 'cash',
    });
    expect(other.status).toBe(409);
    expect(other.body['code']).toBe('op.id_reused');
  });

  it('bad input gets a clear problem and changes nothing', async () => {
    const before = (await receipts()).length;
    const cases: [unknown, number][] = [
      [{ kind: 'billing', accountNumber: '1234567', method: 'cash' }, 400],
      [{ kind: 'billing', accountNumber: '1234567', amountKop: -5, method: 'cash' }, 400],
      [{ kind: 'billing', accountNumber: '1234567', amountKop: 10.5, method: 'cash' }, 400],
      [{ kind: 'billing', accountNumber: '0000000', amountKop: 100, method: 'cash' }, 404],
      [{ kind: 'billing', accountNumber: '7654321', amountKop: 100, method: 'cash' }, 422],
      [{ kind: 'billing', accountNumber: '1234567', amountKop: 100_000, method: 'cash', tenderedKop: 50_000 }, 422],
      [{ kind: 'thirdparty', providerCode: 'MTS', account: '123', amountKop: 10_000, method: 'cash' }, 422],
      [{ kind: 'thirdparty', providerCode: 'MTS', account: '9161112233', amountKop: 5, method: 'cash' }, 422],
      [{ kind: 'service', items: [{ code: 'NOPE', quantity: 1 }], method: 'cash' }, 422],
      ['nonsense', 400],
    ];
    for (const [body, status] of cases) {
      const r = await desk.api.call('POST', '/api/payments', body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(typeof r.body['detail'], JSON.stringify(body)).toBe('string');
    }
    expect((await receipts()).length).toBe(before);
    expect((await desk.api.call('GET', '/api/accounts?q=')).status).toBe(400);
    const anon = await new DeskApi(desk.url).call('POST', '/api/payments', {
      kind: 'service',
      items: [{ code: 'COPY_A4', quantity: 1 }],
      method: 'cash',
    });
    expect(anon.status).toBe(401);
  });

  it('a third-party payment with commission, and a contract service', async () => {
    const tp = await desk.api.ok<{ totalKop: number; commissionKop: number; forwarding: { state: string } }>('POST', '/api/payments', {
      kind: 'thirdparty',
      providerCode: 'MTS',
      account: '+7 (916) 111-22-33',
      amountKop: 30_000,
      method: 'cash',
      tenderedKop: 50_000,
    });
    expect(tp).toMatchObject({ totalKop: 30_600, commissionKop: 600, forwarding: { state: 'queued' } });
    const svc = await desk.api.ok<{ totalKop: number }>('POST', '/api/payments', {
      kind: 'service',
      items: [{ code: 'COPY_A4', quantity: 3 }],
      method: 'cash',
    });
    expect(svc.totalKop).toBe(4_500);
    const providers = await desk.api.ok<{ items: { code: string; accountExample: string }[] }>('GET', '/api/providers');
    expect(providers.items[0]).toMatchObject({ code: 'MTS', accountExample: '9161112233' });
  });

  it('a reading with a confirmation, then accepted', async () => {
    const a = await desk.api.ok<{ meters: { id: string; lastValue: string }[] }>('GET', '/api/accounts/1234567');
    const meterId = a.meters[0]!.id;
    const jump = await desk.api.call('POST', '/api/readings', { accountNumber: '1234567', meterId, value: '1900' });
    expect(jump.status).toBe(422);
    expect(jump.body['code']).toBe('reading.needs_confirmation');
    const ok = await desk.api.ok<{ findings: { code: string }[]; consumption: string }>('POST', '/api/readings', {
      accountNumber: '1234567',
      meterId,
      value: '1900',
      confirmed: ['reading.jump'],
    });
    expect(ok.consumption).toBe('900');
    const after = await desk.api.ok<{ meters: { lastValue: string }[] }>('GET', '/api/accounts/1234567');
    expect(after.meters[0]!.lastValue).toBe('1900');
    const future = await desk.api.call('POST', '/api/readings', { accountNumber: '1234567', meterId, value: '1950', date: '2099-01-01' });
    expect(future.status).toBe(422);
    expect(future.body['code']).toBe('reading.rejected');
  });

  it('a reversal: a cashier needs a senior’s approval for another’s payment', async () => {
    const paid = await desk.api.ok<{ paymentId: string; totalKop: number }>('POST', '/api/payments', {
      kind: 'service',
      items: [{ code: 'COPY_A4', quantity: 2 }],
      method: 'cash',
    });
    const own = await desk.api.ok<{ state: string; amountKop: number }>('POST', '/api/reversals', {
      paymentId: paid.paymentId,
      reason: 'Ошибочный платёж',
    });
    expect(own).toMatchObject({ state: 'done', amountKop: paid.totalKop });
    const twice = await desk.api.call('POST', '/api/reversals', { paymentId: paid.paymentId, reason: 'Ещё раз' });
    expect(twice.status).toBe(403);
    // A payment taken by someone else: the cashier alone may not, a senior may approve.
    const senior = new DeskApi(desk.url);
    await senior.login('senior', 'paydesk-demo');
    const bySenior = await senior.ok<{ paymentId: string }>('POST', '/api/payments', {
      kind: 'service',
      items: [{ code: 'COPY_A4', quantity: 1 }],
      method: 'cash',
    });
    const refused = await desk.api.call('POST', '/api/reversals', { paymentId: bySenior.paymentId, reason: 'Ошибка' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'reversal.refused', needsApproval: true });
    const badApproval = await desk.api.call('POST', '/api/reversals', {
      paymentId: bySenior.paymentId,
      reason: 'Ошибка',
      approval: { login: 'senior', password: 'wrong' },
    });
    expect(badApproval.status).toBe(401);
    const approved = await desk.api.ok<{ state: string; approvedBy: string }>('POST', '/api/reversals', {
      paymentId: bySenior.paymentId,
      reason: 'Ошибка',
      approval: { login: 'senior', password: 'paydesk-demo' },
    });
    expect(approved.state).toBe('done');
    expect(approved.approvedBy).toBeTruthy();
  });

  it('scans a bill QR to the account with the sum prefilled', async () => {
    const r = await desk.api.ok('POST', '/api/scan', {
      text: 'ST00012|Name=ООО "УК Дом"|PersonalAcc=40702810138250123017|BankName=Б|BIC=044525225|CorrespAcc=30101810400000000225|PersAcc=1234567|Sum=151234|PaymPeriod=102026',
    });
    expect(r).toMatchObject({ kind: 'bill', accountNumber: '1234567', amountKop: 151_234, period: '2026-10', sumNeedsConfirmation: false });
    expect(await desk.api.ok('POST', '/api/scan', { text: '4607001234567' })).toMatchObject({ kind: 'unknown' });
  });

  it('cash in, cash out, X report, Z report; the journal and the register agree', async () => {
    await desk.api.ok('POST', '/api/cash/in', { amountKop: 10_000 });
    const out = await desk.api.call('POST', '/api/cash/out', { amountKop: 100_000_000 });
    expect(out.status).toBe(409);
    expect(out.body['code']).toBe('fiscal.not_enough_cash');
    await desk.api.ok('POST', '/api/cash/out', { amountKop: 5_000, comment: 'Инкассация' });
    const x = await desk.api.ok<{ totals: { sales: { count: number } } }>('POST', '/api/register/x-report');
    expect(x.totals.sales.count).toBeGreaterThan(0);
    await desk.api.waitFor('push', (s) => s.unsentCount === 0);
    const z = await desk.api.ok<{ registerTotals: Record<string, unknown>; journalTotals: Record<string, unknown>; unsentCount: number }>(
      'POST',
      '/api/shift/close',
      {},
    );
    expect(z.unsentCount).toBe(0);
    const { shiftNumber: _n, ...register } = z.registerTotals;
    expect(z.journalTotals).toEqual(register);
    await desk.api.waitFor('push', (s) => s.unsentCount === 0);
    const review = await server.open.db.selectFrom('review_items').select('code').where('code', '=', 'shift.totals_mismatch').execute();
    expect(review).toEqual([]);
  });
});
