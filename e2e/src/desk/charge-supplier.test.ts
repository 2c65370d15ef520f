/**
 * Issue 24 item 11 at the desk: a charge whose supplier is not the service's is shown, printed and
 * paid as that supplier's — the receipt names its ИНН, the server records the line as its.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '@paydesk/server/imports';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let desk: Awaited<ReturnType<typeof startTestDesk>>;
const ZARYA = '0190a0b0-0000-7000-8000-0000000000aa';

beforeAll(async () => {
  server = await startTestServer();
  await server.open.db
    .insertInto('suppliers')
    .values({
      id: ZARYA,
      name: 'ООО "УК Заря"',
      inn: '7736207543',
      kpp: null,
      phone: null,
      bank_name: null,
      bic: null,
      account: null,
      corr_account: null,
      commission: JSON.stringify({ kind: 'none', mode: 'on_top' }),
      agent_type: 'paying_agent',
      version: 9_000,
    })
    .execute();
  const r = await importFile(server.open.db, Buffer.from('account;service;period;due;supplier\n1234567;MAINT;2026-10;1000;7736207543\n'), {
    kind: 'charges',
    fileName: 'c.csv',
  });
  expect(r.status).toBe('done');
  desk = await startTestDesk(server);
  await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
  await desk.api.login();
  await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
});

afterAll(async () => {
  await desk.stop();
  removeDir(desk.dataDir);
  await server.close();
});

describe('the supplier of a charge at the desk', () => {
  it('is shown on the account, printed on the receipt and recorded on the server', async () => {
    const a = await desk.api.ok<{ debts: { serviceCode: string; supplier: { name: string; inn: string } }[] }>(
      'GET',
      '/api/accounts/1234567',
    );
    expect(a.debts.find((d) => d.serviceCode === 'MAINT')?.supplier).toMatchObject({ name: 'ООО "УК Заря"', inn: '7736207543' });
    const paid = await desk.api.ok<{ paymentId: string }>('POST', '/api/payments', {
      kind: 'billing',
      accountNumber: '1234567',
      lines: [{ serviceCode: 'MAINT', period: '2026-10', amountKop: 100_000 }],
      method: 'cash',
    });
    const details = await desk.api.ok<{ tape: string }>('GET', `/api/payments/${paid.paymentId}`);
    expect(details.tape).toContain('ИНН поставщика: 7736207543');
    await desk.api.waitFor('sent', (s) => s.unsentCount === 0);
    const line = await server.open.db
      .selectFrom('payment_lines')
      .select('supplier_id')
      .where('op_id', '=', paid.paymentId)
      .executeTakeFirstOrThrow();
    expect(line.supplier_id).toBe(ZARYA);
  });
});
