/**
 * Forwarding against the OSMP simulator with faults injected: every payment credited exactly once at
 * the provider, fatal ones failed and in review, two workers never sending one payment twice.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exampleBody, type OpBody } from '@paydesk/protocol';
import { startProviderSim, type ProviderSim } from '@paydesk/provider-sim';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { IDS, testServer, type TestDesk, type TestServer } from '../../testing/fixture.ts';
import { ForwardingWorker } from './forwarding-worker.ts';
import { reconcileProvider } from './reconcile.ts';

let s: TestServer;
let sim: ProviderSim;
let desk: TestDesk;

beforeEach(async () => {
  s = await testServer(await pgliteTestDb());
  sim = await startProviderSim({
    providers: [
      {
        code: 'MTS',
        mask: '^9\\d{9}$',
        minKop: 1000,
        maxKop: 1_500_000,
        openAccounts: true,
        accounts: [{ account: '9160000079', behaviour: { kind: 'fatal', code: 79, comment: 'Абонент заблокирован' } }],
      },
    ],
  });
  await s.open.db
    .updateTable('providers')
    .set({ osmp_url: `${sim.url}/p/MTS/payment_app.cgi`, timeout_ms: 500 })
    .where('code', '=', 'MTS')
    .execute();
  desk = await s.enroll();
});

afterEach(async () => {
  await sim.stop();
  await s.close();
});

function thirdParty(account: string, amountKop = 30_000): OpBody<'thirdparty.accepted'> {
  return {
    ...exampleBody('thirdparty.accepted'),
    cashierId: IDS.cashier,
    account,
    amountKop,
    commissionKop: amountKop * 0.02,
    totalKop: amountKop * 1.02,
  };
}

async function states(): Promise<Record<string, string>> {
  const rows = await s.open.db.selectFrom('forwardings').select(['account', 'state']).execute();
  return Object.fromEntries(rows.map((r) => [r.account, r.state]));
}

async function drain(worker: ForwardingWorker, rounds = 40): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await worker.runOnce();
    const pending = await s.open.db.selectFrom('forwardings').select('op_id').where('state', 'in', ['queued', 'sent']).execute();
    if (pending.length === 0) return;
    await new Promise((r) => setTimeout(r, 30));
  }
}

const worker = (): ForwardingWorker => new ForwardingWorker(s.open.db, null, { retryBaseMs: 10, maxRetryMs: 50, leaseMs: 300 });

describe('forwarding third-party payments', () => {
  it('forwards, stores the provider’s prv_txn, and the desk sees it confirmed by pull', async () => {
    await s.pushOk(desk, [s.op(desk, 'thirdparty.accepted', thirdParty('9161112233'))]);
    await drain(worker());
    const f = await s.open.db.selectFrom('forwardings').selectAll().executeTakeFirstOrThrow();
    expect(f).toMatchObject({ state: 'confirmed', result_code: 0 });
    expect(f.prv_txn).toBe(sim.ledger()[0]?.prvTxn);
    expect(sim.ledger()).toEqual([expect.objectContaining({ txnId: f.txn_id, account: '9161112233', sumKop: 30_000 })]);
    const pull = await s.app.inject({
      method: 'GET',
      url: '/api/v1/sync/pull?cursor=0&limit=1000',
      headers: { authorization: `Bearer ${desk.deskKey}` },
    });
    expect(pull.json().changes.forwarding).toEqual([expect.objectContaining({ state: 'confirmed', prvTxn: f.prv_txn })]);
  });

  it('temporary errors and "not finished" are retried with the same txn_id; credited once', async () => {
    sim.setBehaviour('MTS', '9161110001', { kind: 'temporary', times: 3 });
    sim.setBehaviour('MTS', '9161110002', { kind: 'pending', times: 2 });
    await s.pushOk(desk, [
      s.op(desk, 'thirdparty.accepted', thirdParty('9161110001')),
      s.op(desk, 'thirdparty.accepted', thirdParty('9161110002')),
    ]);
    await drain(worker());
    expect(await states()).toEqual({ '9161110001': 'confirmed', '9161110002': 'confirmed' });
    expect(sim.ledger()).toHaveLength(2);
    const attempts = await s.open.db.selectFrom('forwardings').select(['account', 'attempts']).orderBy('account').execute();
    expect(attempts.map((a) => a.attempts)).toEqual([4, 3]);
  });

  it('an answer lost in a timeout: the resend of the same txn_id gets the stored result, no second credit', async () => {
    sim.setBehaviour('MTS', '9161110003', { kind: 'lose_answer', times: 1 });
    sim.setBehaviour('MTS', '9161110004', { kind: 'slow', ms: 800 });
    await s.pushOk(desk, [
      s.op(desk, 'thirdparty.accepted', thirdParty('9161110003')),
      s.op(desk, 'thirdparty.accepted', thirdParty('9161110004')),
    ]);
    const w = worker();
    await w.runOnce();
    expect(await states()).toEqual({ '9161110003': 'sent', '9161110004': 'sent' });
    sim.setBehaviour('MTS', '9161110004', { kind: 'ok' });
    await drain(w);
    expect(await states()).toEqual({ '9161110003': 'confirmed', '9161110004': 'confirmed' });
    expect(sim.ledger()).toHaveLength(2);
    expect(sim.stats().duplicates).toBe(2);
  });

  it('a fatal result fails the payment and puts it in review with the provider’s code', async () => {
    await s.pushOk(desk, [s.op(desk, 'thirdparty.accepted', thirdParty('9160000079'))]);
    await drain(worker());
    expect(await states()).toEqual({ '9160000079': 'failed' });
    const review = await s.open.db.selectFrom('review_items').select(['code', 'message']).execute();
    expect(review).toEqual([{ code: 'forwarding.failed', message: expect.stringContaining('79') }]);
    expect(sim.ledger()).toHaveLength(0);
  });

  it('two workers at once never send one payment at the same time; each credited once', async () => {
    sim.setFaults({ slow: 0.5, slowMs: 50 });
    const ops = Array.from({ length: 12 }, (_, i) =>
      s.op(desk, 'thirdparty.accepted', thirdParty(`91620000${String(i).padStart(2, '0')}`)),
    );
    await s.pushOk(desk, ops);
    const a = worker();
    const b = worker();
    for (let i = 0; i < 20; i++) await Promise.all([a.runOnce(), b.runOnce()]);
    expect(Object.values(await states()).every((st) => st === 'confirmed')).toBe(true);
    expect(sim.ledger()).toHaveLength(12);
    expect(sim.stats().pay).toBe(12);
  });

  it('a payment reversed before it was forwarded is never sent', async () => {
    const pay = s.op(desk, 'thirdparty.accepted', thirdParty('9161110005'));
    const rev = s.op(desk, 'payment.reversed', {
      ...exampleBody('payment.reversed'),
      cashierId: IDS.cashier,
      originalOpId: pay.opId,
      amountKop: pay.body.totalKop,
    });
    await s.pushOk(desk, [pay, rev]);
    await drain(worker());
    expect(await states()).toEqual({ '9161110005': 'cancelled' });
    expect(sim.ledger()).toHaveLength(0);
  });

  it('reconciles with the provider’s registry: matches, confirms what only the registry shows, flags differences', async () => {
    sim.setBehaviour('MTS', '9161110006', { kind: 'lose_answer', times: 100 });
    await s.pushOk(desk, [
      s.op(desk, 'thirdparty.accepted', thirdParty('9161110006')),
      s.op(desk, 'thirdparty.accepted', thirdParty('9161110007')),
    ]);
    const w = worker();
    await w.runOnce();
    await drain(w, 3);
    expect((await states())['9161110006']).toBe('sent');
    const registry = sim.registry('MTS');
    const report = await reconcileProvider(s.open.db, 'MTS', registry);
    expect(report).toMatchObject({ rows: 2, matched: 1, confirmedByRegistry: 1, mismatched: 0, unknownToUs: 0 });
    expect((await states())['9161110006']).toBe('confirmed');
    const tampered = `${registry}99999;1;9169999999;10.00;20261128120000\n`.replace(/;300\.00;/, ';301.00;');
    const second = await reconcileProvider(s.open.db, 'MTS', tampered);
    expect(second.unknownToUs).toBe(1);
    expect(second.mismatched).toBe(1);
    const codes = (await s.open.db.selectFrom('review_items').select('code').execute()).map((r) => r.code).sort();
    expect(codes).toEqual(['reconcile.mismatch', 'reconcile.unknown_to_us']);
  });

  it('the online check goes through the server to the provider', async () => {
    const check = (account: string) =>
      s.app.inject({
        method: 'POST',
        url: '/api/v1/providers/check',
        headers: { authorization: `Bearer ${desk.deskKey}` },
        payload: { providerCode: 'MTS', account },
      });
    expect((await check('9161112233')).json()).toMatchObject({ result: 0, subscriberName: expect.stringContaining('2233') });
    expect((await check('12')).json()).toMatchObject({ result: 4 });
    await sim.stop();
    expect((await check('9161112233')).statusCode).toBe(503);
  });
});
