/**
 * One vocabulary (issue 17 item 4): the review queue speaks the closed table of review codes — each item
 * with its Russian title, the filter refuses a code not in the table instead of listing nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REVIEW, REVIEW_CODES, reviewTitle } from '@paydesk/protocol';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { billingBody, testServer, type TestServer } from '../../testing/fixture.ts';

let s: TestServer;
beforeEach(async () => {
  s = await testServer(await pgliteTestDb());
});
afterEach(async () => {
  await s.close();
});

describe('review codes', () => {
  it('every code has a Russian title; a code a newer server wrote reads as itself', () => {
    for (const code of REVIEW_CODES) expect(REVIEW[code].title, code).toMatch(/[а-яё]/i);
    expect(reviewTitle('payment.above_debt')).toBe('Оплачено больше долга');
    expect(reviewTitle('something.new')).toBe('something.new');
  });

  it('the queue answers each item with its code’s title; a filter by an unknown code is refused', async () => {
    const desk = await s.enroll();
    await s.pushOk(desk, [s.op(desk, 'payment.accepted', billingBody({ accountNumber: '9999999' }))]);
    const queue = (await s.as(s.adminToken)('GET', '/api/v1/review')).json() as { items: { code: string; title: string }[] };
    expect(queue.items).toContainEqual(
      expect.objectContaining({ code: 'payment.account_unknown', title: REVIEW['payment.account_unknown'].title }),
    );
    const filtered = (await s.as(s.adminToken)('GET', '/api/v1/review?code=payment.account_unknown')).json() as { items: unknown[] };
    expect(filtered.items.length).toBeGreaterThan(0);
    expect((await s.as(s.adminToken)('GET', '/api/v1/review?code=PAYMENT.ACCOUNT_UNKNOWN')).statusCode).toBe(400);
  });
});
