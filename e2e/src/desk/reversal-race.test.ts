/**
 * Issue 16 item 1: a payment has at most one reversal. Two reversals from two tabs at once, or a
 * reversal retried under a new op id after an unknown outcome, print one return receipt and answer
 * with that one reversal — over real HTTP, with a real server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { DeskApi, removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let desk: Awaited<ReturnType<typeof startTestDesk>>;
let tab2: DeskApi;

beforeAll(async () => {
  server = await startTestServer();
  desk = await startTestDesk(server);
  await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
  await desk.api.login();
  tab2 = new DeskApi(desk.url);
  await tab2.login();
  await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 1_000_000 });
  // Takings enough for a second return, so the register itself would not refuse it.
  for (let i = 0; i < 10; i++)
    await desk.api.ok('POST', '/api/payments', { kind: 'service', items: [{ code: 'COPY_A4', quantity: 50 }], method: 'cash' });
});

afterAll(async () => {
  await desk.stop();
  removeDir(desk.dataDir);
  await server.close();
});

const returns = async (paymentId: string): Promise<number> => {
  const all = (await desk.api.ok<{ items: { operationId: string; kind: string }[] }>('GET', '/api/test/receipts')).items;
  const reversals = await desk.api.ok<{ items: { operationId: string; kind: string; originalOperationId: string | null }[] }>(
    'GET',
    '/api/payments?limit=500',
  );
  const mine = new Set(
    reversals.items.filter((j) => j.kind === 'reversal' && j.originalOperationId === paymentId).map((j) => j.operationId),
  );
  return all.filter((r) => r.kind === 'sale_return' && mine.has(r.operationId)).length;
};

async function pay(): Promise<string> {
  return (
    await desk.api.ok<{ paymentId: string }>('POST', '/api/payments', {
      kind: 'service',
      items: [{ code: 'COPY_A4', quantity: 2 }],
      method: 'cash',
    })
  ).paymentId;
}

describe('at most one reversal per payment', () => {
  it('two tabs reverse one payment at the same moment: one return receipt, one reversal answered to both or refused to one', async () => {
    for (let round = 0; round < 5; round++) {
      const paymentId = await pay();
      // A real register takes a second or two to print: the second tab asks while the first prints.
      await desk.api.ok('POST', '/api/test/register-fault', { kind: 'delay', ms: 300 });
      const [a, b] = await Promise.all([
        desk.api.call<{ reversalId?: string; code?: string }>('POST', '/api/reversals', {
          opId: uuidv7(),
          paymentId,
          reason: 'Ошибка кассира',
        }),
        tab2.call<{ reversalId?: string; code?: string }>('POST', '/api/reversals', {
          opId: uuidv7(),
          paymentId,
          reason: 'Ошибка кассира',
        }),
      ]);
      expect(await returns(paymentId)).toBe(1);
      const succeeded = [a, b].filter((r) => r.status === 201);
      expect(succeeded.length).toBeGreaterThanOrEqual(1);
      for (const r of [a, b]) if (r.status !== 201) expect(r.body.code).toBe('reversal.refused');
      if (succeeded.length === 2) expect(succeeded[0]?.body.reversalId).toBe(succeeded[1]?.body.reversalId);
    }
  });

  it('a reversal that timed out, retried from a reopened dialog under a new op id, answers the first and prints nothing new', async () => {
    const paymentId = await pay();
    await desk.api.ok('POST', '/api/test/register-fault', { kind: 'lose_answer', silentFor: 1 });
    const first = await desk.api.call<{ code?: string }>('POST', '/api/reversals', { opId: uuidv7(), paymentId, reason: 'Ошибка кассира' });
    expect(first.status).toBe(409);
    expect(first.body.code).toBe('fiscal.outcome_unknown');
    const retry = await desk.api.call<{ reversalId: string; state: string }>('POST', '/api/reversals', {
      opId: uuidv7(),
      paymentId,
      reason: 'Ошибка кассира',
    });
    expect(retry.status).toBe(201);
    expect(retry.body.state).toBe('done');
    expect(await returns(paymentId)).toBe(1);
    const again = await desk.api.call<{ code: string; reversalId?: string }>('POST', '/api/reversals', {
      opId: uuidv7(),
      paymentId,
      reason: 'Ещё раз',
    });
    expect(again.status).toBe(403);
    expect(again.body).toMatchObject({ code: 'reversal.refused', reversalId: retry.body.reversalId });
    expect(await returns(paymentId)).toBe(1);
  });
});
