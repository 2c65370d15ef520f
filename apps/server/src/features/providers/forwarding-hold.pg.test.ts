/**
 * Issue 16 item 2 on a real PostgreSQL: a desk's request to take a payment out of forwarding (so it
 * may refund it in cash) races the worker's claim of the same payment. Exactly one wins: a payment
 * held for a refund is never sent to the provider, and a payment already sent cannot be held.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleBody } from '@paydesk/protocol';
import { startProviderSim, type ProviderSim } from '@paydesk/provider-sim';
import { migrate, openDatabase } from '../../db/database.ts';
import { postgresTestUrl } from '../../testing/test-db.ts';
import { IDS, testServer, type TestDesk, type TestServer } from '../../testing/fixture.ts';
import { ForwardingWorker } from './forwarding-worker.ts';

let pgdb: Awaited<ReturnType<typeof postgresTestUrl>>;
let s: TestServer;
let sim: ProviderSim;
let desk: TestDesk;

beforeAll(async () => {
  pgdb = await postgresTestUrl();
  const open = await openDatabase({ url: pgdb.url, poolSize: 10 });
  await migrate(open.db);
  s = await testServer(open);
  sim = await startProviderSim({ providers: [{ code: 'MTS', mask: '^9\\d{9}$', minKop: 1000, maxKop: 1_500_000, openAccounts: true }] });
  await s.open.db
    .updateTable('providers')
    .set({ osmp_url: `${sim.url}/p/MTS/payment_app.cgi`, timeout_ms: 2000 })
    .where('code', '=', 'MTS')
    .execute();
  desk = await s.enroll();
}, 60_000);

afterAll(async () => {
  await sim.stop();
  await s.close();
  await pgdb.drop();
});

describe('holding a payment for a refund against the forwarding worker', () => {
  it('for 40 payments raced one by one: never held and credited, never both refused and unsent', async () => {
    const ops = Array.from({ length: 40 }, (_, i) =>
      s.op(desk, 'thirdparty.accepted', {
        ...exampleBody('thirdparty.accepted'),
        cashierId: IDS.cashier,
        account: `91600${String(i).padStart(5, '0')}`,
      }),
    );
    await s.pushOk(desk, ops);
    const worker = new ForwardingWorker(s.open.db, null, { batch: 1, retryBaseMs: 10, maxRetryMs: 20 });
    const outcomes: { opId: string; held: boolean; status: number }[] = [];
    const later = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    for (const [i, op] of ops.entries()) {
      // Either side may start first, by a hair: the database decides who wins, never both.
      const claim = async (): Promise<void> => {
        if (i % 2 === 1) await later(Math.random() * 3);
        await worker.runOnce();
      };
      const hold = async (): Promise<Awaited<ReturnType<typeof s.app.inject>>> => {
        if (i % 2 === 0) await later(Math.random() * 3);
        return s.app.inject({
          method: 'POST',
          url: `/api/v1/forwardings/${op.opId}/hold`,
          headers: { authorization: `Bearer ${desk.deskKey}` },
          payload: { holdId: op.opId.replace(/^.{8}/, 'ffffffff') },
        });
      };
      const [, held] = await Promise.all([claim(), hold()]);
      outcomes.push({ opId: op.opId, held: held.statusCode === 200, status: held.statusCode });
    }
    for (let i = 0; i < 20; i++) await worker.runOnce();
    expect(
      outcomes.every((o) => o.status === 200 || o.status === 409),
      JSON.stringify(outcomes.filter((o) => o.status !== 200 && o.status !== 409)),
    ).toBe(true);
    const credited = new Set(sim.ledger().map((l) => l.account));
    const rows = new Map(
      (await s.open.db.selectFrom('forwardings').select(['op_id', 'account', 'state']).execute()).map((r) => [r.op_id, r]),
    );
    for (const o of outcomes) {
      const f = rows.get(o.opId);
      if (o.held) {
        expect(f?.state, o.opId).toBe('held');
        expect(credited.has(f?.account ?? ''), `held and credited: ${o.opId}`).toBe(false);
      } else {
        expect(['sent', 'confirmed']).toContain(f?.state);
      }
    }
    expect(outcomes.some((o) => o.held)).toBe(true);
    expect(outcomes.some((o) => !o.held)).toBe(true);
  });
});
