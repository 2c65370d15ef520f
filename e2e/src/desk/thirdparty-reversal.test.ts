/**
 * Issue 16 item 2: a third-party payment is never both refunded in cash and credited by the provider.
 * The desk refunds only when the server has taken the payment out of forwarding before any request
 * left (or the provider refused it); otherwise, and whenever the desk cannot ask, it refuses.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ForwardingWorker } from '@paydesk/server/forwarding';
import { startProviderSim, type ProviderSim } from '@paydesk/provider-sim';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let sim: ProviderSim;
let desk: Awaited<ReturnType<typeof startTestDesk>>;
let worker: ForwardingWorker | null = null;

beforeEach(async () => {
  server = await startTestServer();
  sim = await startProviderSim({ providers: [{ code: 'MTS', mask: '^9\\d{9}$', minKop: 1000, maxKop: 1_500_000, openAccounts: true }] });
  await server.open.db
    .updateTable('providers')
    .set({ osmp_url: `${sim.url}/p/MTS/payment_app.cgi`, timeout_ms: 1000 })
    .where('code', '=', 'MTS')
    .execute();
  desk = await startTestDesk(server);
  await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
  await desk.api.login('senior');
  await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 500_000 });
});

afterEach(async () => {
  await worker?.stop();
  worker = null;
  await desk.stop();
  removeDir(desk.dataDir);
  await sim.stop();
  await server.close();
});

const topUp = async (account: string): Promise<string> => {
  const paid = await desk.api.ok<{ paymentId: string }>('POST', '/api/payments', {
    kind: 'thirdparty',
    providerCode: 'MTS',
    account,
    amountKop: 50_000,
    method: 'cash',
  });
  await desk.api.waitFor('sent', (s) => s.unsentCount === 0);
  return paid.paymentId;
};

const returns = async (): Promise<number> =>
  (await desk.api.ok<{ items: { kind: string }[] }>('GET', '/api/test/receipts')).items.filter((r) => r.kind === 'sale_return').length;

const forwardingState = async (opId: string): Promise<string | undefined> =>
  (await server.open.db.selectFrom('forwardings').select('state').where('op_id', '=', opId).executeTakeFirst())?.state;

describe('refunding a third-party payment in cash', () => {
  it('after the worker has sent it to the provider: refused, no return receipt, and the provider credits it', async () => {
    sim.setBehaviour('MTS', '9161110001', { kind: 'temporary', times: 3 });
    const paymentId = await topUp('9161110001');
    worker = new ForwardingWorker(server.open.db, null, { retryBaseMs: 200, maxRetryMs: 400 });
    await worker.runOnce();
    expect(await forwardingState(paymentId)).toBe('sent');
    const r = await desk.api.call<{ code: string }>('POST', '/api/reversals', { paymentId, reason: 'Передумал' });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('reversal.refused');
    expect(await returns()).toBe(0);
    for (let i = 0; i < 20 && (await forwardingState(paymentId)) !== 'confirmed'; i++) {
      await new Promise((res) => setTimeout(res, 250));
      await worker.runOnce();
    }
    expect(await forwardingState(paymentId)).toBe('confirmed');
    expect(sim.ledger().filter((l) => l.account === '9161110001')).toHaveLength(1);
  });

  it('while it is still queued: the server takes it out of forwarding first, then the refund prints, and the provider never gets it', async () => {
    const paymentId = await topUp('9161110002');
    const r = await desk.api.call<{ state: string }>('POST', '/api/reversals', { paymentId, reason: 'Ошибся номером' });
    expect(r.status).toBe(201);
    expect(await returns()).toBe(1);
    worker = new ForwardingWorker(server.open.db, null, { retryBaseMs: 50, maxRetryMs: 100 });
    await worker.runOnce();
    await desk.api.waitFor('reversal sent', (s) => s.unsentCount === 0);
    await worker.runOnce();
    expect(['cancelled', 'held']).toContain(await forwardingState(paymentId));
    expect(sim.ledger().filter((l) => l.account === '9161110002')).toHaveLength(0);
  });

  it('a refund the register refuses (no paper) gives the payment back to forwarding, and the provider gets it', async () => {
    const paymentId = await topUp('9161110004');
    await desk.api.ok('POST', '/api/test/register', { paper: false });
    const r = await desk.api.call<{ code: string }>('POST', '/api/reversals', { paymentId, reason: 'Передумал' });
    expect(r.body.code).toBe('fiscal.paper_out');
    for (let i = 0; i < 50 && (await forwardingState(paymentId)) !== 'queued'; i++) {
      await desk.api.call('POST', '/api/test/sync');
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(await forwardingState(paymentId)).toBe('queued');
    await desk.api.ok('POST', '/api/test/register', { paper: true });
    worker = new ForwardingWorker(server.open.db, null, { retryBaseMs: 50, maxRetryMs: 100 });
    await worker.runOnce();
    expect(await forwardingState(paymentId)).toBe('confirmed');
    expect(await returns()).toBe(0);
  });

  it('offline: refused, since the desk cannot know whether the provider has it', async () => {
    const paymentId = await topUp('9161110003');
    await server.stop();
    await desk.api.waitFor('offline', (s) => !s.online);
    const r = await desk.api.call<{ code: string; detail: string }>('POST', '/api/reversals', { paymentId, reason: 'Передумал' });
    expect(r.status).toBe(403);
    expect(r.body.detail).toMatch(/связ/);
    expect(await returns()).toBe(0);
    await server.start();
  });
});
