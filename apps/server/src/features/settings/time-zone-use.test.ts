/**
 * Issue 20 item 5: the server keeps the organisation's time where the docs say it does — the OSMP
 * `txn_date` of a payment (the acceptance time on the agent's clocks), a day in the payments filter and
 * an API key's «until» — not Moscow's hard-coded offset. An organisation in Novosibirsk (UTC+7).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleBody, type OpBody } from '@paydesk/protocol';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { billingBody, IDS, testServer, type TestServer } from '../../testing/fixture.ts';
import { putSetting } from './routes.ts';

let s: TestServer;

beforeAll(async () => {
  s = await testServer(await pgliteTestDb());
  await putSetting(s.open.db, 'global', null, 'timeZone', 'Asia/Novosibirsk', { type: 'system', id: null });
});

afterAll(async () => {
  await s.close();
});

describe('the organisation’s time zone, used where the docs promise it', () => {
  it('a top-up accepted at 09:05 in Novosibirsk is sent to the provider with txn_date 20261128090500', async () => {
    const desk = await s.enroll();
    const body: OpBody<'thirdparty.accepted'> = {
      ...exampleBody('thirdparty.accepted'),
      cashierId: IDS.cashier,
      acceptedAt: '2026-11-28T09:05:00+07:00',
    };
    const op = s.op(desk, 'thirdparty.accepted', body);
    await s.pushOk(desk, [op]);
    const row = await s.open.db.selectFrom('forwardings').select('txn_date').where('op_id', '=', op.opId).executeTakeFirstOrThrow();
    expect(row.txn_date).toBe('20261128090500');
  });

  it('a day in the payments filter is that day on the organisation’s clocks', async () => {
    const desk = await s.enroll();
    // 00:30 on the 29th in Novosibirsk is 20:30 on the 28th in Moscow.
    const op = s.op(desk, 'payment.accepted', billingBody({ acceptedAt: '2026-11-29T00:30:00+07:00' }));
    await s.pushOk(desk, [op]);
    const get = s.as(s.adminToken);
    const on29 = await get('GET', '/api/v1/payments?from=2026-11-29&to=2026-11-29');
    expect(on29.statusCode).toBe(200);
    expect((on29.json() as { items: { opId: string }[] }).items.map((i) => i.opId)).toContain(op.opId);
    const on28 = await get('GET', '/api/v1/payments?from=2026-11-28&to=2026-11-28');
    expect((on28.json() as { items: { opId: string }[] }).items.map((i) => i.opId)).not.toContain(op.opId);
  });
});
