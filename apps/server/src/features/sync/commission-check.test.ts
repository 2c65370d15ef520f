/**
 * Issue 16 item 10: the server checks a desk's commission on a billing payment with the desk's own
 * rule — each supplier's rule once per payment, on what the payer gave that supplier (an included
 * fee counted back in) — so an honest payment never lands in review as `payment.commission_mismatch`,
 * and a fee charged per line instead of per supplier still does.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OpBody } from '@paydesk/protocol';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { billingBody, IDS, testServer, type TestServer } from '../../testing/fixture.ts';

let s: TestServer;

beforeAll(async () => {
  s = await testServer(await pgliteTestDb());
});

afterAll(async () => {
  await s.close();
});

async function setRule(supplierId: string, rule: object): Promise<void> {
  await s.open.db
    .updateTable('suppliers')
    .set({ commission: JSON.stringify(rule) })
    .where('id', '=', supplierId)
    .execute();
}

/** Each payment pays periods of its own (advances, no charge yet), so no payment is ever above a debt an earlier one paid. */
let month = 0;
const period = (): string => `2027-${String(++month).padStart(2, '0')}`;

let lastOpId = '';

async function outcome(body: OpBody<'payment.accepted'>): Promise<[string, string | undefined]> {
  const desk = await s.enroll();
  const op = s.op(desk, 'payment.accepted', body);
  lastOpId = op.opId;
  const r = await s.pushOk(desk, [op]);
  const x = r.results[0];
  return [x?.outcome ?? '', x?.code];
}

describe('the server’s check of a billing payment’s commission (issue 16 item 10)', () => {
  beforeEach(async () => {
    await setRule(IDS.uk, { kind: 'none', mode: 'on_top' });
    await setRule(IDS.water, { kind: 'percent', mode: 'on_top', rateBp: 100 });
  });

  it('an included fee: 2 % of the 500,00 ₽ the payer gave (10,00 ₽ out of it) is what the rule gives, not a mismatch', async () => {
    await setRule(IDS.water, { kind: 'percent', mode: 'included', rateBp: 200 });
    const body = billingBody({
      lines: [{ serviceCode: 'WATER', period: period(), amountKop: 49_000, penaltyKop: 0, commissionKop: 1_000 }],
      commissionKop: 1_000,
      totalKop: 50_000,
      tenderedKop: 50_000,
    });
    expect(await outcome(body)).toEqual(['applied', undefined]);
  });

  it('an included fee recorded without per-line shares (an older desk) is read from the payment’s commission', async () => {
    await setRule(IDS.water, { kind: 'percent', mode: 'included', rateBp: 200 });
    const body = billingBody({
      lines: [
        { serviceCode: 'WATER', period: period(), amountKop: 49_000, penaltyKop: 0 },
        { serviceCode: 'MAINT', period: period(), amountKop: 10_000, penaltyKop: 0 },
      ],
      commissionKop: 1_000,
      totalKop: 60_000,
      tenderedKop: 60_000,
    });
    expect(await outcome(body)).toEqual(['applied', undefined]);
  });

  it('a fixed fee and a minimum are charged once per supplier per payment, over two periods: no review', async () => {
    await setRule(IDS.uk, { kind: 'fixed', mode: 'on_top', amountKop: 1_500 });
    await setRule(IDS.water, { kind: 'percent', mode: 'on_top', rateBp: 150, minKop: 1_000 });
    const body = billingBody({
      lines: [
        { serviceCode: 'MAINT', period: period(), amountKop: 10_000, penaltyKop: 0, commissionKop: 1_000 },
        { serviceCode: 'MAINT', period: period(), amountKop: 5_000, penaltyKop: 0, commissionKop: 500 },
        { serviceCode: 'WATER', period: period(), amountKop: 1_847, penaltyKop: 0, commissionKop: 1_000 },
      ],
      commissionKop: 2_500,
      totalKop: 19_347,
      tenderedKop: 20_000,
    });
    expect(await outcome(body)).toEqual(['applied', undefined]);
  });

  it('a fixed fee charged per line (twice for one supplier) goes to review', async () => {
    await setRule(IDS.uk, { kind: 'fixed', mode: 'on_top', amountKop: 1_500 });
    const body = billingBody({
      lines: [
        { serviceCode: 'MAINT', period: period(), amountKop: 10_000, penaltyKop: 0, commissionKop: 1_500 },
        { serviceCode: 'MAINT', period: period(), amountKop: 5_000, penaltyKop: 0, commissionKop: 1_500 },
      ],
      commissionKop: 3_000,
      totalKop: 18_000,
      tenderedKop: 18_000,
    });
    expect(await outcome(body)).toEqual(['applied_with_review', 'payment.commission_mismatch']);
    const item = await s.open.db
      .selectFrom('review_items')
      .select(['code', 'context'])
      .where('op_id', '=', lastOpId)
      .executeTakeFirstOrThrow();
    expect(item).toMatchObject({ code: 'payment.commission_mismatch', context: { commissionKop: 3_000, expectedKop: 1_500 } });
  });

  it('the same total split wrongly between suppliers goes to review', async () => {
    await setRule(IDS.uk, { kind: 'fixed', mode: 'on_top', amountKop: 1_000 });
    await setRule(IDS.water, { kind: 'fixed', mode: 'on_top', amountKop: 500 });
    const body = billingBody({
      lines: [
        { serviceCode: 'MAINT', period: period(), amountKop: 10_000, penaltyKop: 0, commissionKop: 500 },
        { serviceCode: 'WATER', period: period(), amountKop: 10_000, penaltyKop: 0, commissionKop: 1_000 },
      ],
      commissionKop: 1_500,
      totalKop: 21_500,
      tenderedKop: 21_500,
    });
    expect(await outcome(body)).toEqual(['applied_with_review', 'payment.commission_mismatch']);
  });
});
