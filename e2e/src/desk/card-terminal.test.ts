/**
 * Issue 21, card payments through the bank's terminal, through the desk's API: the amount goes to the
 * terminal, a receipt follows only an approval, a decline receipts nothing, an unknown outcome is asked
 * of the terminal and never charged twice, a card payment is refunded to the card, and the terminal's
 * settlement stands beside the journal's card totals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let desk: Awaited<ReturnType<typeof startTestDesk>>;

interface TerminalOp {
  command_id: string;
  operation: string;
  amount_kop: number;
  state: string;
}

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

const sale = (opId: string, quantity = 1) => ({ opId, kind: 'service', items: [{ code: 'COPY_A4', quantity }], method: 'card' });
const receiptsFor = async (opId: string): Promise<{ operationId: string; kind: string; cardKop: number; cashKop: number }[]> =>
  (
    await desk.api.ok<{ items: { operationId: string; kind: string; cardKop: number; cashKop: number }[] }>('GET', '/api/test/receipts')
  ).items.filter((r) => r.operationId === opId);
const terminalOps = async (): Promise<TerminalOp[]> => (await desk.api.ok<{ items: TerminalOp[] }>('GET', '/api/test/terminal')).items;
const present = (...cards: object[]) => desk.api.ok('POST', '/api/test/terminal', { present: cards });
const charged = async (prefix: string): Promise<number> =>
  (await terminalOps())
    .filter((o) => o.command_id.startsWith(prefix) && o.state === 'approved')
    .reduce((s, o) => s + (o.operation === 'pay' ? o.amount_kop : -o.amount_kop), 0);

describe('a card payment through the terminal', () => {
  it('charges the card for the receipt’s total, then prints the receipt paid by card, with the approval in the journal', async () => {
    const opId = uuidv7();
    const paid = await desk.api.ok<{
      state: string;
      totalKop: number;
      card: { rrn: string; authCode: string; maskedPan: string; slipPrinted: boolean | null } | null;
    }>('POST', '/api/payments', sale(opId));
    expect(paid.state).toBe('done');
    expect(paid.card?.rrn).toMatch(/^\d{12}$/);
    expect(paid.card?.maskedPan).toMatch(/^\*{4}\d{4}$/);
    // The bank's slip followed the receipt on the register.
    expect(paid.card?.slipPrinted).toBe(true);
    expect(await charged(opId)).toBe(paid.totalKop);
    const receipts = await receiptsFor(opId);
    expect(receipts).toHaveLength(1);
    expect(receipts[0]?.cardKop).toBe(paid.totalKop);
    // The same request again is the same payment: no second charge, no second receipt.
    await desk.api.ok('POST', '/api/payments', sale(opId));
    expect(await charged(opId)).toBe(paid.totalKop);
    expect(await receiptsFor(opId)).toHaveLength(1);
  });

  it('a decline receipts nothing and says the bank’s reason; another card under the same payment then pays once', async () => {
    const opId = uuidv7();
    await present({ answer: 'decline', code: '51' });
    const r = await desk.api.call<{ code: string; detail: string }>('POST', '/api/payments', sale(opId));
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('card.declined');
    expect(r.body.detail).toContain('недостаточно средств');
    expect(await receiptsFor(opId)).toHaveLength(0);
    expect(await charged(opId)).toBe(0);
    const paid = await desk.api.ok<{ state: string; totalKop: number }>('POST', '/api/payments', sale(opId));
    expect(paid.state).toBe('done');
    expect(await charged(opId)).toBe(paid.totalKop);
    expect(await receiptsFor(opId)).toHaveLength(1);
  });

  it('a terminal that charged and lost its answer is asked: the receipt follows, one charge', async () => {
    const opId = uuidv7();
    await present({ answer: 'timeout_after_charge' });
    const paid = await desk.api.ok<{ state: string; totalKop: number }>('POST', '/api/payments', sale(opId));
    expect(paid.state).toBe('done');
    expect(await charged(opId)).toBe(paid.totalKop);
    expect(await receiptsFor(opId)).toHaveLength(1);
  });

  it('no link to the terminal: nothing charged, nothing receipted, the cashier told', async () => {
    const opId = uuidv7();
    await present({ answer: 'no_link' });
    const r = await desk.api.call<{ code: string }>('POST', '/api/payments', sale(opId));
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.body.code).toBe('card.unavailable');
    expect(await receiptsFor(opId)).toHaveLength(0);
    expect(await charged(opId)).toBe(0);
  });

  it('a same-day reversal of a card payment cancels it on the terminal, then prints the return receipt by card', async () => {
    const opId = uuidv7();
    const paid = await desk.api.ok<{ totalKop: number }>('POST', '/api/payments', sale(opId, 2));
    const rev = await desk.api.ok<{ state: string; reversalId: string }>('POST', '/api/reversals', {
      paymentId: opId,
      reason: 'Ошибочный платёж',
    });
    expect(rev.state).toBe('done');
    const cancels = (await terminalOps()).filter(
      (o) => o.operation === 'cancel' && o.state === 'approved' && o.amount_kop === paid.totalKop,
    );
    expect(cancels).toHaveLength(1);
    const back = await receiptsFor(rev.reversalId);
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ kind: 'sale_return', cardKop: paid.totalKop, cashKop: 0 });
  });

  it('the settlement stands beside the journal’s card totals in the shift report', async () => {
    const s = await desk.api.ok<{ terminal: { payKop: number } | null; journal: { payKop: number }; matches: boolean | null }>(
      'POST',
      '/api/card/settlement',
      {},
    );
    expect(s.terminal).not.toBeNull();
    expect(s.matches).toBe(true);
    expect(s.terminal?.payKop).toBe(s.journal.payKop);
    const report = await desk.api.ok<{ cardSettlement: { matches: boolean | null } | null }>('GET', '/api/reports/shift?shift=1');
    expect(report.cardSettlement?.matches).toBe(true);
  });
});
