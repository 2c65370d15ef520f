/**
 * A mobile top-up end to end over real HTTP: the desk takes it with commission and prints one receipt,
 * the server's forwarding worker credits it at the (simulated) operator, the confirmation with the
 * operator's prv_txn flows back to the desk by pull, and the reversal policy then refuses a reversal
 * the operator cannot cancel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForwardingWorker } from '@paydesk/server/forwarding';
import { startProviderSim, type ProviderSim } from '@paydesk/provider-sim';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let sim: ProviderSim;
let worker: ForwardingWorker;
let desk: Awaited<ReturnType<typeof startTestDesk>>;

beforeAll(async () => {
  server = await startTestServer();
  sim = await startProviderSim({ providers: [{ code: 'MTS', mask: '^9\\d{9}$', minKop: 1000, maxKop: 1_500_000, openAccounts: true }] });
  await server.open.db
    .updateTable('providers')
    .set({ osmp_url: `${sim.url}/p/MTS/payment_app.cgi`, timeout_ms: 1000 })
    .where('code', '=', 'MTS')
    .execute();
  worker = new ForwardingWorker(server.open.db, null, { intervalMs: 50, retryBaseMs: 50, maxRetryMs: 200 });
  worker.start();
  desk = await startTestDesk(server);
  await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
  await desk.api.login();
  await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
});

afterAll(async () => {
  await desk.stop();
  removeDir(desk.dataDir);
  await worker.stop();
  await sim.stop();
  await server.close();
});

interface Payment {
  paymentId: string;
  totalKop: number;
  commissionKop: number;
  forwarding: { state: string; prvTxn?: string | null };
}

describe('a mobile top-up end to end', () => {
  it('is forwarded once and shows confirmed by the operator in the desk’s journal', async () => {
    sim.setBehaviour('MTS', '9161234567', { kind: 'temporary', times: 2 });
    const paid = await desk.api.ok<Payment>('POST', '/api/payments', {
      kind: 'thirdparty',
      providerCode: 'MTS',
      account: '+7 916 123-45-67',
      amountKop: 50_000,
      method: 'cash',
      tenderedKop: 60_000,
    });
    expect(paid).toMatchObject({ totalKop: 51_000, commissionKop: 1_000, forwarding: { state: 'queued' } });

    // The desk learns the outcome by its periodic pull (every 5 s in the test stack).
    const deadline = Date.now() + 20_000;
    let seen: Payment = paid;
    while (seen.forwarding.state !== 'confirmed' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      seen = await desk.api.ok<Payment>('GET', `/api/payments/${paid.paymentId}`);
    }
    expect(sim.ledger()).toEqual([expect.objectContaining({ account: '9161234567', sumKop: 50_000 })]);
    expect(seen.forwarding).toMatchObject({ state: 'confirmed', prvTxn: sim.ledger()[0]!.prvTxn });

    const journal = await desk.api.ok<{ items: { operationId: string; forwarding: string | null }[] }>('GET', '/api/payments');
    expect(journal.items.find((i) => i.operationId === paid.paymentId)?.forwarding).toBe('confirmed');

    const receipts = (await desk.api.ok<{ items: { operationId: string }[] }>('GET', '/api/test/receipts')).items.filter(
      (r) => r.operationId === paid.paymentId,
    );
    expect(receipts).toHaveLength(1);
    const receiptsBefore = (await desk.api.ok<{ items: unknown[] }>('GET', '/api/test/receipts')).items.length;

    // МТС cannot cancel a credited payment: the desk must refuse, not print a refund.
    const rev = await desk.api.call('POST', '/api/reversals', { paymentId: paid.paymentId, reason: 'Ошибка в номере' });
    expect(rev.status).toBe(403);
    expect(rev.body).toMatchObject({ code: 'reversal.refused', reason: 'reversal.provider_confirmed', needsApproval: false });
    expect((await desk.api.ok<{ items: { operationId: string }[] }>('GET', '/api/test/receipts')).items).toHaveLength(receiptsBefore);
  });
});
