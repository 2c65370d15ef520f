/** The overview's day totals and hourly series, and the account card, from operations pushed by a desk. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleBody } from '@paydesk/protocol';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { billingBody, IDS, testServer, type TestServer } from '../../testing/fixture.ts';

let s: TestServer;
const now = new Date();
const hourInMoscow =
  Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Moscow', hour: '2-digit', hour12: false }).format(now)) % 24;

beforeAll(async () => {
  s = await testServer(await pgliteTestDb());
  const desk = await s.enroll('Касса 1');
  await s.pushOk(desk, [
    s.op(desk, 'payment.accepted', billingBody({ acceptedAt: now.toISOString() })),
    s.op(desk, 'thirdparty.accepted', { ...exampleBody('thirdparty.accepted'), cashierId: IDS.cashier, acceptedAt: now.toISOString() }),
    // Yesterday's payment is not today's.
    s.op(desk, 'payment.accepted', billingBody({ acceptedAt: new Date(now.getTime() - 86_400_000 * 2).toISOString() })),
  ]);
});

afterAll(async () => {
  await s.close();
});

describe('the overview', () => {
  it('today’s totals by kind, the hourly series per point, the desks and the queues', async () => {
    const r = await s.as(s.adminToken)('GET', '/api/v1/overview');
    expect(r.statusCode).toBe(200);
    const o = r.json();
    expect(o.today).toEqual({
      count: 2,
      sumKop: 151_746 + 30_600,
      commissionKop: 512 + 600,
      byKind: { billing: { count: 1, sumKop: 151_746, commissionKop: 512 }, thirdparty: { count: 1, sumKop: 30_600, commissionKop: 600 } },
    });
    expect(o.hourly.points).toEqual(['Пункт на Ленина']);
    expect(o.hourly.hours).toHaveLength(24);
    expect(o.hourly.hours[hourInMoscow]).toEqual({ hour: hourInMoscow, 'Пункт на Ленина': 182_346 });
    expect(o.desks).toEqual([expect.objectContaining({ name: 'Касса 1', enrolled: true, online: true })]);
    expect(o.queues).toMatchObject({ forwardingInTransit: 1, forwardingFailed: 0 });
    expect((await s.app.inject({ method: 'GET', url: '/api/v1/overview' })).statusCode).toBe(401);
  });

  it('the account card: debts after the payments, meters, payments', async () => {
    const r = await s.as(s.adminToken)('GET', '/api/v1/accounts/1234567/card');
    expect(r.statusCode).toBe(200);
    const c = r.json();
    expect(c.account).toMatchObject({ number: '1234567', ownerName: 'Иванов Иван Иванович', address: 'Энск, ул. Ленина, д. 10, кв. 5' });
    expect(c.payments).toHaveLength(2);
    expect(c.meters).toEqual([expect.objectContaining({ serial: 'ХВ-001', lastValue: '1000' })]);
    expect(c.totalDebtKop).toBe(c.debts.reduce((sum: number, d: { debtKop: number }) => sum + d.debtKop, 0));
    expect((await s.as(s.adminToken)('GET', '/api/v1/accounts/0000000/card')).statusCode).toBe(404);
  });
});
