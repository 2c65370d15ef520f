/**
 * Issue 19 items 1 and 2: a scanned bill is money at stake. A bill already paid (here or at another
 * desk) is flagged on the scan with the payment's number and time; a bill of another organisation
 * whose account number happens to be one of ours does not open our account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBillQr } from '@paydesk/domain';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let deskA: Awaited<ReturnType<typeof startTestDesk>>;
let deskB: Awaited<ReturnType<typeof startTestDesk>>;

const ours = {
  Name: 'ООО "УК Дом"',
  PersonalAcc: '40702810138250123017',
  BankName: 'ПАО Сбербанк',
  BIC: '044525225',
  CorrespAcc: '30101810400000000225',
  PayeeINN: '7707083893',
  PersAcc: '1234567',
  Sum: '50000',
  PaymPeriod: '102026',
};

interface Scan {
  kind: string;
  accountNumber?: string;
  payee?: string | null;
  message?: string;
  paid?: { number: string; at: string; totalKop: number }[];
  paidChecked?: string;
}

beforeAll(async () => {
  server = await startTestServer();
  deskA = await startTestDesk(server);
  deskB = await startTestDesk(server);
  for (const d of [deskA, deskB]) {
    await d.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
    await d.api.login();
    await d.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
  }
});

afterAll(async () => {
  for (const d of [deskA, deskB]) {
    await d.stop();
    removeDir(d.dataDir);
  }
  await server.close();
});

describe('a bill scanned a second time', () => {
  it('is flagged with the first payment, at this desk and, once pushed, at another desk', async () => {
    const qr = buildBillQr(ours);
    const before = await deskA.api.ok<Scan>('POST', '/api/scan', { text: qr });
    expect(before).toMatchObject({ kind: 'bill', accountNumber: '1234567', paid: [] });
    const paid = await deskA.api.ok<{ number: string }>('POST', '/api/payments', {
      kind: 'billing',
      accountNumber: '1234567',
      amountKop: 50_000,
      method: 'cash',
    });
    const again = await deskA.api.ok<Scan>('POST', '/api/scan', { text: qr });
    expect(again.paid?.map((p) => p.number)).toEqual([paid.number]);
    await deskA.api.waitFor('pushed', (s) => s.unsentCount === 0);
    const elsewhere = await deskB.api.ok<Scan>('POST', '/api/scan', { text: qr });
    expect(elsewhere.paid?.map((p) => p.number)).toEqual([paid.number]);
    expect(elsewhere.paidChecked).toBe('server');
  });

  it('a bill of another period and sum of the same account is not flagged', async () => {
    const other = await deskA.api.ok<Scan>('POST', '/api/scan', { text: buildBillQr({ ...ours, PaymPeriod: '092026', Sum: '42000' }) });
    expect(other).toMatchObject({ kind: 'bill', paid: [] });
  });
});

describe('a bill of another organisation', () => {
  it('whose account number is one of ours is refused with its payee named, not opened as our account', async () => {
    const foreign = buildBillQr({ ...ours, Name: 'ООО "Чужая УК"', PayeeINN: '5407123456', PersonalAcc: '40702810900000000001' });
    const r = await deskA.api.ok<Scan>('POST', '/api/scan', { text: foreign });
    expect(r.kind).toBe('foreign_payee');
    expect(r.accountNumber).toBeUndefined();
    expect(r.message).toContain('ООО "Чужая УК"');
    expect(r.message).toContain('5407123456');
  });

  it('without an ИНН, the payee’s name decides: ours by name opens the account, another name is refused', async () => {
    const { PayeeINN: _, ...noInn } = ours;
    expect(await deskA.api.ok<Scan>('POST', '/api/scan', { text: buildBillQr({ ...noInn, Name: 'ооо  «УК Дом»' }) })).toMatchObject({
      kind: 'bill',
      accountNumber: '1234567',
    });
    expect(await deskA.api.ok<Scan>('POST', '/api/scan', { text: buildBillQr({ ...noInn, Name: 'ТСЖ "Соседи"' }) })).toMatchObject({
      kind: 'foreign_payee',
    });
  });
});
