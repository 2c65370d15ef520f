/**
 * Issue 16, adversarial review (guarantee 3: no third-party payment is both refunded in cash and credited by the provider).
 *
 * 1. Server restored from a backup taken while the payment was queued: the hold and the reversal the
 *    desk pushed are gone, the forwarding is `queued` again, and the forwarding worker (which starts
 *    with the server and ticks every 500 ms, with no notion of a restore) sends it before the desk can
 *    re-send its reversal (the desk learns of the restore only at its next pull, 60 s by default).
 *    The cash was already refunded at the desk: paid twice.
 * 2. Provider answered "fatal" (state failed), the desk refunded (hold says `failed`), then the
 *    provider's registry shows it credited: reconcile turns it `confirmed` silently — no review item
 *    says "refunded and credited".
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exampleBody, type OpBody } from '@paydesk/protocol';
import { startProviderSim, type ProviderSim } from '@paydesk/provider-sim';
import { openDatabase } from '../../db/database.ts';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { IDS, testServer, type TestDesk, type TestServer } from '../../testing/fixture.ts';
import { newIncarnation } from '../../db/incarnation.ts';
import { ForwardingWorker } from './forwarding-worker.ts';
import { reconcileProvider } from './reconcile.ts';

let s: TestServer;
let sim: ProviderSim;
let desk: TestDesk;
const extra: TestServer[] = [];

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
  for (const e of extra.splice(0)) await e.close();
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

function reversalOf(opId: string, totalKop: number): OpBody<'payment.reversed'> {
  return { ...exampleBody('payment.reversed'), cashierId: IDS.cashier, originalOpId: opId, amountKop: totalKop, method: 'card' };
}

describe('ATTACK: refunded in cash and credited anyway', () => {
  it('a held-and-refunded payment is sent to the provider after the server is restored from a backup', async () => {
    const pay = s.op(desk, 'thirdparty.accepted', thirdParty('9161112233'));
    await s.pushOk(desk, [pay]);
    // The nightly backup: the payment is queued (the worker was slow or the provider down).
    const backup = await (s.open.pglite as NonNullable<typeof s.open.pglite>).dumpDataDir('none');

    // The desk refunds: hold online, the return receipt, the reversal pushed.
    const rev = s.op(desk, 'payment.reversed', reversalOf(pay.opId, 30_600));
    const held = await s.app.inject({
      method: 'POST',
      url: `/api/v1/forwardings/${pay.opId}/hold`,
      headers: { authorization: `Bearer ${desk.deskKey}` },
      payload: { holdId: rev.opId },
    });
    expect(held.statusCode).toBe(200);
    await s.pushOk(desk, [rev]);
    expect((await s.open.db.selectFrom('forwardings').select('state').executeTakeFirstOrThrow()).state).toBe('cancelled');

    // The database is put back from the backup; the server (and its forwarding worker) starts.
    const restored = await testServer(await openDatabase({ loadDataDir: backup }), { seed: false });
    extra.push(restored);
    // A restore the fingerprint cannot see (a PGlite folder copied back) is declared: `paydesk-server restored`.
    await newIncarnation(restored.open.db, 'восстановлено из копии');
    const worker = new ForwardingWorker(restored.open.db, null, { retryBaseMs: 10, maxRetryMs: 50, leaseMs: 300 });
    await worker.runOnce();

    // The desk, at its next pull, sees the server behind and re-sends the reversal: too late.
    const again = await restored.pushOk(desk, [rev]);
    expect(again.results[0]?.outcome).toBeDefined();
    const credited = sim.ledger().filter((l) => l.account === '9161112233');
    expect(credited, 'the payer got 306,00 ₽ back in cash and the provider credited 300,00 ₽').toEqual([]);
  });

  it('a payment the provider refused, refunded at the desk, and later found credited in its registry is not flagged', async () => {
    const pay = s.op(desk, 'thirdparty.accepted', thirdParty('9160000079'));
    await s.pushOk(desk, [pay]);
    await new ForwardingWorker(s.open.db, null, { retryBaseMs: 10, maxRetryMs: 50, leaseMs: 300 }).runOnce();
    const f = await s.open.db.selectFrom('forwardings').select(['state', 'txn_id']).executeTakeFirstOrThrow();
    expect(f.state).toBe('failed');
    const rev = s.op(desk, 'payment.reversed', reversalOf(pay.opId, 30_600));
    const held = await s.app.inject({
      method: 'POST',
      url: `/api/v1/forwardings/${pay.opId}/hold`,
      headers: { authorization: `Bearer ${desk.deskKey}` },
      payload: { holdId: rev.opId },
    });
    expect(held.json()).toEqual({ state: 'failed' });
    await s.pushOk(desk, [rev]);
    // The provider's daily registry says it was credited after all.
    await reconcileProvider(s.open.db, 'MTS', `txn_id;prv_txn;account;sum;txn_date\n${f.txn_id};555;9160000079;300.00;20261128090700\n`);
    const after = await s.open.db.selectFrom('forwardings').select('state').executeTakeFirstOrThrow();
    const review = await s.open.db.selectFrom('review_items').select(['code']).where('op_id', '=', pay.opId).execute();
    // Refunded and credited: a person must be told, not a silent 'confirmed'.
    expect(
      after.state === 'confirmed' && !review.some((r) => r.code.startsWith('reconcile.')),
      `forwarding ${after.state}, review ${JSON.stringify(review)}`,
    ).toBe(false);
  });

  it('a desk that says it holds more than the server has pauses its forwarding until it has sent the rest', async () => {
    const pay = s.op(desk, 'thirdparty.accepted', thirdParty('9161112234'));
    await s.pushOk(desk, [pay]);
    const pull = (acked: number) =>
      s.app.inject({
        method: 'GET',
        url: `/api/v1/sync/pull?cursor=0&limit=10&epoch=${desk.epoch}&acked=${acked}`,
        headers: { authorization: `Bearer ${desk.deskKey}` },
      });
    // The desk had three of its ops acknowledged; this server (restored, undeclared) holds one.
    expect((await pull(3)).statusCode).toBe(200);
    const worker = new ForwardingWorker(s.open.db, null, { retryBaseMs: 10, maxRetryMs: 50, leaseMs: 300 });
    await worker.runOnce();
    expect(sim.ledger()).toEqual([]);
    expect((await pull(1)).statusCode).toBe(200);
    await worker.runOnce();
    expect(sim.ledger().map((l) => l.account)).toEqual(['9161112234']);
  });
});
