/**
 * Issue 24 item 11: one service, many suppliers. «Содержание жилья» of one house is managed by one УК,
 * of the next house by another: the supplier of a charge comes from the charge, as in every Russian
 * billing, and follows the payment into its lines, its commission, its registry and the desks.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { billingBody, IDS, testServer, type TestServer } from '../../testing/fixture.ts';
import { importFile } from './import-file.ts';

let s: TestServer;
const OTHER_UK = '0190a0b0-0000-7000-8000-0000000000aa';

beforeEach(async () => {
  s = await testServer(await pgliteTestDb());
  await s.open.db
    .insertInto('suppliers')
    .values({
      id: OTHER_UK,
      name: 'ООО "УК Заря"',
      inn: '7736207543',
      kpp: null,
      phone: null,
      bank_name: null,
      bic: null,
      account: null,
      corr_account: null,
      commission: JSON.stringify({ kind: 'percent', mode: 'on_top', rateBp: 200 }),
      agent_type: 'paying_agent',
      version: 9_000,
    })
    .execute();
});

afterEach(async () => {
  await s.close();
});

describe('the supplier of a charge', () => {
  it('a charges file names the supplier by ИНН; an unknown one is an error with its line', async () => {
    const ok = await importFile(
      s.open.db,
      Buffer.from('account;service;period;due;supplier\n1234567;MAINT;2026-11;300;7736207543\n1234567;WATER;2026-11;100;\n'),
      { kind: 'charges', fileName: 'c.csv' },
    );
    expect(ok.status).toBe('done');
    const rows = await s.open.db
      .selectFrom('charges')
      .select(['service_code', 'supplier_id'])
      .where('account_number', '=', '1234567')
      .where('period', '=', '2026-11')
      .orderBy('service_code')
      .execute();
    expect(rows).toEqual([
      { service_code: 'MAINT', supplier_id: OTHER_UK },
      { service_code: 'WATER', supplier_id: null },
    ]);
    const bad = await importFile(s.open.db, Buffer.from('account;service;period;due;supplier\n1234567;MAINT;2026-11;300;7707083894\n'), {
      kind: 'charges',
      fileName: 'c.csv',
    });
    expect(bad.errors).toEqual([expect.objectContaining({ line: 2, column: 'supplier' })]);
  });

  it('a payment follows the charge’s supplier: its line, its commission, that supplier’s registry, the desks’ pull', async () => {
    await importFile(s.open.db, Buffer.from('account;service;period;due;supplier\n1234567;MAINT;2026-10;1000;7736207543\n'), {
      kind: 'charges',
      fileName: 'c.csv',
    });
    const desk = await s.enroll();
    // The desk pays MAINT to «УК Заря» with its 2 % on top.
    const body = billingBody({
      acceptedAt: '2026-11-28T10:00:00+03:00',
      lines: [{ serviceCode: 'MAINT', period: '2026-10', amountKop: 100_000, penaltyKop: 0, commissionKop: 2_000, supplierId: OTHER_UK }],
      commissionKop: 2_000,
      totalKop: 102_000,
      tenderedKop: 102_000,
    });
    const r = await s.pushOk(desk, [s.op(desk, 'payment.accepted', body)]);
    expect(r.results[0]).toMatchObject({ outcome: 'applied' });
    const line = await s.open.db.selectFrom('payment_lines').select('supplier_id').executeTakeFirstOrThrow();
    expect(line.supplier_id).toBe(OTHER_UK);
    const reg = (await s.as(s.adminToken)('GET', '/api/v1/registries?date=2026-11-28&supplier=7736207543&format=json')).json() as {
      totals: { payments: number; transferredKop: number };
    };
    expect(reg.totals).toMatchObject({ payments: 1, transferredKop: 100_000 });
    const home = (await s.as(s.adminToken)('GET', '/api/v1/registries?date=2026-11-28&supplier=7707083893&format=json')).json() as {
      totals: { payments: number };
    };
    expect(home.totals.payments).toBe(0);
    const pull = await s.app.inject({
      method: 'GET',
      url: '/api/v1/sync/pull?cursor=0&limit=1000',
      headers: { authorization: `Bearer ${desk.deskKey}` },
    });
    const charge = (
      pull.json() as { changes: { charges: { serviceCode: string; period: string; supplierId?: string | null }[] } }
    ).changes.charges.find((c) => c.serviceCode === 'MAINT' && c.period === '2026-10');
    expect(charge?.supplierId).toBe(OTHER_UK);
    expect(IDS.uk).not.toBe(OTHER_UK);
  });

  it('the back office’s account card names the charge’s own supplier, not the service’s', async () => {
    await importFile(s.open.db, Buffer.from('account;service;period;due;supplier\n1234567;MAINT;2026-11;300;7736207543\n'), {
      kind: 'charges',
      fileName: 'c.csv',
    });
    const card = (await s.as(s.adminToken)('GET', '/api/v1/accounts/1234567/card')).json() as {
      debts: { serviceCode: string; period: string; supplier: string }[];
    };
    expect(card.debts.find((d) => d.serviceCode === 'MAINT' && d.period === '2026-11')?.supplier).toBe('ООО "УК Заря"');
    expect(card.debts.find((d) => d.serviceCode === 'MAINT' && d.period === '2026-10')?.supplier).toBe('ООО "УК Дом"');
  });
});
