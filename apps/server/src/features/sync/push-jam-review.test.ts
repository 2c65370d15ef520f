/**
 * Issue 16, adversarial review (guarantee 5: one op never jams a desk's queue). Bodies that are valid for the protocol's zod
 * schema but that PostgreSQL refuses somewhere the op-by-op savepoint does not cover:
 *  - a NUL in a field that no handler writes (only the `ops` row keeps it): thirdparty `check.subscriberName`,
 *    or any field the server's schema strips (a newer desk's extra field);
 *  - a lone UTF-16 surrogate (a string cut in the middle of an emoji, a device/provider answer with "\ud83d")
 *    which `safeJson` does not clean, so even keepUnplaceable's review item fails.
 * Each time the whole push answers 500 and the op behind it never arrives: the desk retries for ever.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exampleBody, type OpBody } from '@paydesk/protocol';
import { opHash } from '@paydesk/protocol/node';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { testServer, type TestServer } from '../../testing/fixture.ts';

describe('ATTACK: a schema-valid op that PostgreSQL refuses outside the savepoint', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await testServer(await pgliteTestDb());
  });
  afterEach(async () => {
    await s.close();
  });

  async function jamWith(poisonBody: object, type: 'thirdparty.accepted' | 'cash.in'): Promise<void> {
    const desk = await s.enroll();
    const poison = s.op(desk, type, poisonBody as never);
    poison.hash = opHash(poisonBody);
    const next = s.op(desk, 'cash.out');
    const r = await s.push(desk, [poison, next]);
    // Guarantee: every op it can parse gets a per-op outcome; the batch is never failed for one op's content.
    expect(r.statusCode, r.body.slice(0, 400)).toBe(200);
    const body = r.json() as { lastSeq: number };
    expect(body.lastSeq).toBe(2);
  }

  it("NUL in the provider check's subscriber name (kept only in ops.body) fails every push of the desk", async () => {
    const base = exampleBody('thirdparty.accepted');
    const body: OpBody<'thirdparty.accepted'> = { ...base, check: { result: 0, subscriberName: 'Иванов\u0000И.И.' } };
    await jamWith(body, 'thirdparty.accepted');
  });

  it('a field the server strips (a newer desk) holding a NUL fails every push of the desk', async () => {
    const body = { ...exampleBody('cash.in'), note: 'x\u0000y' };
    await jamWith(body, 'cash.in');
  });

  it('a lone surrogate in a cash-in comment (an emoji cut at 200 chars) fails every push, keepUnplaceable included', async () => {
    const body: OpBody<'cash.in'> = { ...exampleBody('cash.in'), comment: `${'а'.repeat(199)}\ud83d` };
    await jamWith(body, 'cash.in');
  });

  // Same source, other shape: a provider whose check answer carries a long first <fields> entry (an
  // address and debt line, 250 characters) — osmp-client.ts takes it as subscriberName, the desk copies
  // it into the op, and the op schema (max 200) rejects the whole payment: cash taken, receipt printed,
  // nothing in payments, nothing forwarded, only a review item.
  it('a payment whose provider check says more than 200 characters is rejected: never recorded, never forwarded', async () => {
    const desk = await s.enroll();
    const body: OpBody<'thirdparty.accepted'> = {
      ...exampleBody('thirdparty.accepted'),
      check: { result: 0, subscriberName: `Иванов И.И., ${'г. Энск, ул. Ленина, д. 10, кв. 5; задолженность 0,00; '.repeat(5)}` },
    };
    const op = s.op(desk, 'thirdparty.accepted', body);
    const r = await s.pushOk(desk, [op]);
    const payment = await s.open.db.selectFrom('payments').select('op_id').where('op_id', '=', op.opId).executeTakeFirst();
    const forwarding = await s.open.db.selectFrom('forwardings').select('state').where('op_id', '=', op.opId).executeTakeFirst();
    expect({ outcome: r.results[0]?.outcome, recorded: payment !== undefined, forwarded: forwarding !== undefined }).toEqual({
      outcome: 'applied_with_review',
      recorded: true,
      forwarded: true,
    });
  });
});
