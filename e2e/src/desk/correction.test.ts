/**
 * Issue 21, correction receipts (чек коррекции) through the desk's API: a senior cashier makes good money
 * taken or returned without a receipt; one op id, exactly one document with its basis (1173, 1178, 1179),
 * counted in the shift as the register counts it, in the audit log and on the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { DeskApi, removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let desk: Awaited<ReturnType<typeof startTestDesk>>;
let senior: DeskApi;

beforeAll(async () => {
  server = await startTestServer();
  desk = await startTestDesk(server);
  await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
  await desk.api.login();
  await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 100_000 });
  senior = new DeskApi(desk.url);
  await senior.login('senior', 'paydesk-demo');
}, 60_000);

afterAll(async () => {
  await desk?.stop();
  if (desk) removeDir(desk.dataDir);
  await server?.close();
});

const today = new Date().toISOString().slice(0, 10);
const income = (opId: string) => ({
  opId,
  direction: 'income',
  correctionType: 'self',
  baseDate: today,
  baseNumber: '1',
  description: 'Приём платежа без чека: ККТ не работала',
  amountKop: 250_00,
  method: 'cash',
});
const receipts = async (opId: string): Promise<{ kind: string; cashKop: number; cardKop: number }[]> =>
  (
    await desk.api.ok<{ items: { operationId: string; kind: string; cashKop: number; cardKop: number }[] }>('GET', '/api/test/receipts')
  ).items.filter((r) => r.operationId === opId);

describe('a correction receipt', () => {
  it('a cashier alone may not make one; nothing is printed', async () => {
    const opId = uuidv7();
    const r = await desk.api.call<{ code: string; needsApproval: boolean }>('POST', '/api/corrections', income(opId));
    expect(r.status).toBe(403);
    expect(r.body.needsApproval).toBe(true);
    expect(await receipts(opId)).toHaveLength(0);
  });

  it('a senior makes a correction of income: one document with its basis; the same op id again is the same document', async () => {
    const opId = uuidv7();
    const made = await senior.ok<{ state: string; fiscal: { documentNumber: number } }>('POST', '/api/corrections', income(opId));
    expect(made.state).toBe('done');
    expect(await receipts(opId)).toEqual([expect.objectContaining({ kind: 'sale', cashKop: 250_00 })]);
    const view = await senior.ok<{ tape: string }>('GET', `/api/payments/${opId}`);
    for (const needle of [
      'КАССОВЫЙ ЧЕК КОРРЕКЦИИ',
      'Тип коррекции: САМОСТОЯТЕЛЬНО',
      `Дата док. основания: ${today.split('-').reverse().join('.')}`,
    ])
      expect(view.tape).toContain(needle);
    const again = await senior.ok<{ fiscal: { documentNumber: number } }>('POST', '/api/corrections', income(opId));
    expect(again.fiscal.documentNumber).toBe(made.fiscal.documentNumber);
    expect(await receipts(opId)).toHaveLength(1);
    // Another correction under the same id is refused.
    const other = await senior.call<{ code: string }>('POST', '/api/corrections', { ...income(opId), amountKop: 300_00 });
    expect(other.body.code).toBe('op.id_reused');
  });

  it('a cashier with a senior’s password makes a correction of a return by card, by instruction', async () => {
    const opId = uuidv7();
    const made = await desk.api.ok<{ state: string }>('POST', '/api/corrections', {
      ...income(opId),
      direction: 'return',
      correctionType: 'instruction',
      baseNumber: 'ПР-12/2026',
      method: 'card',
      amountKop: 120_00,
      approval: { login: 'senior', password: 'paydesk-demo' },
    });
    expect(made.state).toBe('done');
    expect(await receipts(opId)).toEqual([expect.objectContaining({ kind: 'sale_return', cardKop: 120_00 })]);
  });

  it('bad input changes nothing: an instruction without its number, a date in the future, an unknown supplier', async () => {
    const before = (await desk.api.ok<{ items: unknown[] }>('GET', '/api/test/receipts')).items.length;
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    for (const bad of [
      { ...income(uuidv7()), correctionType: 'instruction', baseNumber: '' },
      { ...income(uuidv7()), baseDate: tomorrow },
      { ...income(uuidv7()), supplierId: uuidv7() },
      { ...income(uuidv7()), amountKop: 0 },
    ]) {
      const r = await senior.call<{ code: string }>('POST', '/api/corrections', bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await desk.api.ok<{ items: unknown[] }>('GET', '/api/test/receipts')).items).toHaveLength(before);
  });

  it('the shift counts corrections as the register does; the server keeps them; the audit names the senior', async () => {
    const report = await desk.api.ok<{ differences: unknown[]; journal: { sales: { cashKop: number }; returns: { cardKop: number } } }>(
      'GET',
      '/api/reports/shift?shift=1',
    );
    expect(report.differences).toEqual([]);
    expect(report.journal.sales.cashKop).toBe(250_00);
    expect(report.journal.returns.cardKop).toBe(120_00);
    expect((report as unknown as { corrections: unknown }).corrections).toEqual({ count: 2, incomeKop: 250_00, returnKop: 120_00 });
    await desk.api.waitFor('sent', (s) => s.online && s.unsentCount === 0, 30_000);
    const rows = await server.open.db
      .selectFrom('corrections')
      .select(['direction', 'correction_type', 'base_number', 'total_kop'])
      .execute();
    expect(rows.map((r) => [r.direction, r.correction_type, r.base_number, Number(r.total_kop)]).sort()).toEqual([
      ['income', 'self', '1', 250_00],
      ['return', 'instruction', 'ПР-12/2026', 120_00],
    ]);
    const audit = desk.deps.db.prepare(`SELECT actor_id FROM audit WHERE action = 'correction.made'`).all() as { actor_id: string }[];
    expect(audit.length).toBeGreaterThanOrEqual(2);
  });
});
