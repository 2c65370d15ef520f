/**
 * Issue 16 item 10: the commission of one billing payment that pays several suppliers. Each
 * supplier's rule — its minimum and its fixed fee included — applies once per payment to what that
 * supplier gets from it, however many lines (services, periods) that is; the server checks a desk's
 * commission with the same rule.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allocateTotal } from './allocation.ts';
import {
  billingCommission,
  computeCommission,
  expectedBillingCommission,
  type BillingCommissionLine,
  type CommissionRule,
} from './commission.ts';

/** The demo town's suppliers (tools/demo/src/town.ts) and their rules. */
const RULES: Record<string, CommissionRule> = {
  uk: { kind: 'none', mode: 'on_top' },
  water: { kind: 'percent', mode: 'on_top', rateBp: 100 },
  heat: { kind: 'none', mode: 'on_top' },
  power: { kind: 'percent', mode: 'on_top', rateBp: 150, minKop: 1_000 },
  tko: { kind: 'fixed', mode: 'on_top', amountKop: 1_500 },
};
const ruleOf = (supplier: string): CommissionRule => RULES[supplier] as CommissionRule;

/** Account 1000008 of the demo town: the current month's debt of its seven services. */
const ACCOUNT_1000008 = [
  { key: 'MAINT', supplier: 'uk', debtKop: 204_800 },
  { key: 'CW', supplier: 'water', debtKop: 34_100 },
  { key: 'SEWER', supplier: 'water', debtKop: 22_100 },
  { key: 'HEAT', supplier: 'heat', debtKop: 253_200 },
  { key: 'HW', supplier: 'heat', debtKop: 54_300 },
  { key: 'ELEC', supplier: 'power', debtKop: 103_500 },
  { key: 'TKO', supplier: 'tko', debtKop: 19_800 },
];

describe('the 25,10 ₽ of the issue, reproduced', () => {
  it('123,45 ₽ spread over seven services of five suppliers: 15,00 fixed (ТКО, on its 3,53) + 10,00 minimum (power, on 18,47) + 0,10 (water, 1 % of 10,03)', () => {
    const parts = allocateTotal(
      12_345,
      ACCOUNT_1000008.map((d) => ({ key: d.key, debtKop: d.debtKop })),
    );
    expect(parts.map((p) => p.amountKop)).toEqual([3_655, 609, 394, 4_518, 969, 1_847, 353]);
    const lines: BillingCommissionLine[] = parts.map((p, i) => ({
      supplier: ACCOUNT_1000008[i]?.supplier as string,
      amountKop: p.amountKop,
      penaltyKop: p.penaltyKop,
    }));
    const r = billingCommission(lines, ruleOf);
    if (!r.ok) throw new Error(r.message);
    expect(r.commissionKop).toBe(2_510);
    expect(r.suppliers.map((s) => [s.supplier, s.baseKop, s.commissionKop, s.feeExceedsBase])).toEqual([
      ['uk', 3_655, 0, false],
      ['water', 1_003, 10, false],
      ['heat', 5_487, 0, false],
      ['power', 1_847, 1_000, false],
      ['tko', 353, 1_500, true],
    ]);
    // Each supplier's fee is its rule applied once to its share — not once per line.
    for (const s of r.suppliers) expect(s.commissionKop).toBe(computeCommission(ruleOf(s.supplier), s.baseKop).commissionKop);
    expect(r.totalKop).toBe(12_345 + 2_510);
    expect(r.lines.map((l) => l.commissionKop)).toEqual([0, 6, 4, 0, 0, 1_000, 1_500]);
  });

  it('several periods of one supplier pay its fixed fee and its minimum once, not per period', () => {
    const lines: BillingCommissionLine[] = [
      { supplier: 'tko', amountKop: 10_000, penaltyKop: 0 },
      { supplier: 'tko', amountKop: 10_000, penaltyKop: 500 },
      { supplier: 'tko', amountKop: 10_000, penaltyKop: 0 },
      { supplier: 'power', amountKop: 20_000, penaltyKop: 0 },
      { supplier: 'power', amountKop: 20_000, penaltyKop: 0 },
    ];
    const r = billingCommission(lines, ruleOf);
    if (!r.ok) throw new Error(r.message);
    expect(r.suppliers.map((s) => [s.supplier, s.commissionKop])).toEqual([
      ['tko', 1_500],
      ['power', 1_000],
    ]);
    expect(r.commissionKop).toBe(2_500);
  });

  it('a supplier paid nothing in this payment is charged nothing, even with a fixed fee', () => {
    const r = billingCommission(
      [
        { supplier: 'tko', amountKop: 0, penaltyKop: 0 },
        { supplier: 'uk', amountKop: 5_000, penaltyKop: 0 },
      ],
      ruleOf,
    );
    expect(r.ok && r.commissionKop).toBe(0);
  });
});

describe('included in the sum', () => {
  const included: Record<string, CommissionRule> = {
    kap: { kind: 'percent', mode: 'included', rateBp: 200, minKop: 2_000 },
    gas: { kind: 'fixed', mode: 'included', amountKop: 3_000 },
    uk: { kind: 'none', mode: 'on_top' },
  };
  const incl = (s: string): CommissionRule => included[s] as CommissionRule;

  it('the fee comes out of what the payer gives that supplier, from the principal first', () => {
    const r = billingCommission(
      [
        { supplier: 'kap', amountKop: 400_000, penaltyKop: 0 },
        { supplier: 'kap', amountKop: 100_000, penaltyKop: 1_000 },
        { supplier: 'uk', amountKop: 5_000, penaltyKop: 0 },
      ],
      incl,
    );
    if (!r.ok) throw new Error(r.message);
    expect(r.suppliers[0]).toMatchObject({ supplier: 'kap', baseKop: 501_000, commissionKop: 10_020, principalKop: 490_980 });
    expect(r.totalKop).toBe(506_000);
    expect(r.lines).toEqual([
      { amountKop: 392_000, penaltyKop: 0, commissionKop: 8_000 },
      { amountKop: 97_980, penaltyKop: 1_000, commissionKop: 2_020 },
      { amountKop: 5_000, penaltyKop: 0, commissionKop: 0 },
    ]);
  });

  it('a sum that does not cover the supplier’s minimum fee is refused, never turned into a zero or negative payment to the supplier', () => {
    const small = billingCommission([{ supplier: 'kap', amountKop: 1_500, penaltyKop: 0 }], incl);
    expect(small).toMatchObject({ ok: false, code: 'commission.exceeds_amount', supplier: 'kap', baseKop: 1_500, commissionKop: 2_000 });
    const equal = billingCommission([{ supplier: 'gas', amountKop: 3_000, penaltyKop: 0 }], incl);
    expect(equal).toMatchObject({ ok: false, code: 'commission.exceeds_amount', supplier: 'gas' });
    expect(billingCommission([{ supplier: 'gas', amountKop: 3_001, penaltyKop: 0 }], incl)).toMatchObject({
      ok: true,
      principalKop: 1,
      commissionKop: 3_000,
    });
  });
});

describe('the server checks a desk’s commission with the same rule', () => {
  it('reads back what the desk recorded, included fees too, and finds no difference', () => {
    const rules: Record<string, CommissionRule> = { kap: { kind: 'percent', mode: 'included', rateBp: 200 }, ...RULES };
    const of = (s: string): CommissionRule => rules[s] as CommissionRule;
    const lines: BillingCommissionLine[] = [
      { supplier: 'kap', amountKop: 500_000, penaltyKop: 0 },
      { supplier: 'tko', amountKop: 353, penaltyKop: 0 },
      { supplier: 'water', amountKop: 1_003, penaltyKop: 0 },
    ];
    const r = billingCommission(lines, of);
    if (!r.ok) throw new Error(r.message);
    const recorded = r.lines.map((l, i) => ({ supplier: lines[i]?.supplier as string, ...l }));
    const e = expectedBillingCommission(recorded, of, r.commissionKop);
    expect(e.commissionKop).toBe(r.commissionKop);
    expect(e.suppliers.every((s) => s.expectedKop === s.recordedKop)).toBe(true);
  });

  it('a fee charged per line instead of per supplier is found', () => {
    const recorded = [
      { supplier: 'tko', amountKop: 10_000, penaltyKop: 0, commissionKop: 1_500 },
      { supplier: 'tko', amountKop: 10_000, penaltyKop: 0, commissionKop: 1_500 },
    ];
    const e = expectedBillingCommission(recorded, ruleOf, 3_000);
    expect(e.commissionKop).toBe(1_500);
    expect(e.suppliers).toEqual([{ supplier: 'tko', baseKop: 20_000, expectedKop: 1_500, recordedKop: 3_000 }]);
  });

  it('lines recorded without their share of the fee (an older desk): an included supplier is read from the payment’s commission', () => {
    const rules: Record<string, CommissionRule> = { kap: { kind: 'percent', mode: 'included', rateBp: 200 }, ...RULES };
    const of = (s: string): CommissionRule => rules[s] as CommissionRule;
    // 5 000,00 to kap (2 % included → 100,00 out of it) and 10,03 to water (1 % on top → 0,10).
    const recorded = [
      { supplier: 'kap', amountKop: 490_000, penaltyKop: 0 },
      { supplier: 'water', amountKop: 1_003, penaltyKop: 0 },
    ];
    expect(expectedBillingCommission(recorded, of, 10_010).commissionKop).toBe(10_010);
  });
});

describe('properties', () => {
  const fee = fc.oneof(
    fc.constant({ kind: 'none' as const }),
    fc.record({ kind: fc.constant('fixed' as const), amountKop: fc.integer({ min: 0, max: 5_000 }) }),
    fc.record({ kind: fc.constant('percent' as const), rateBp: fc.integer({ min: 0, max: 1_000 }) }, { requiredKeys: ['kind', 'rateBp'] }),
    fc.record({
      kind: fc.constant('percent' as const),
      rateBp: fc.integer({ min: 0, max: 1_000 }),
      minKop: fc.integer({ min: 0, max: 3_000 }),
    }),
    fc.record({
      kind: fc.constant('percent' as const),
      rateBp: fc.integer({ min: 0, max: 1_000 }),
      minKop: fc.integer({ min: 0, max: 1_000 }),
      maxKop: fc.integer({ min: 1_000, max: 10_000 }),
    }),
  );
  const rule: fc.Arbitrary<CommissionRule> = fc.oneof(
    fc.tuple(fee, fc.constantFrom('on_top' as const, 'included' as const)).map(([f, mode]) => ({ ...f, mode })),
    fc.record({
      kind: fc.constant('tiered' as const),
      mode: fc.constantFrom('on_top' as const, 'included' as const),
      tiers: fc.uniqueArray(fc.record({ fromKop: fc.integer({ min: 0, max: 100_000 }), fee }), {
        minLength: 1,
        maxLength: 3,
        selector: (t) => t.fromKop,
      }),
    }),
  );
  const suppliers = ['a', 'b', 'c', 'd'];
  const payment = fc.record({
    rules: fc.tuple(rule, rule, rule, rule),
    lines: fc.array(
      fc.record({
        supplier: fc.constantFrom(...suppliers),
        amountKop: fc.integer({ min: 0, max: 300_000 }),
        penaltyKop: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 20_000 })),
      }),
      { minLength: 1, maxLength: 12 },
    ),
  });
  const of =
    (rules: readonly CommissionRule[]) =>
    (s: string): CommissionRule =>
      rules[suppliers.indexOf(s)] as CommissionRule;
  const baseOf = (lines: readonly BillingCommissionLine[], s: string): number =>
    lines.filter((l) => l.supplier === s).reduce((t, l) => t + l.amountKop + l.penaltyKop, 0);

  it('commission never exceeds what one application of each supplier’s rule gives (property)', () => {
    fc.assert(
      fc.property(payment, ({ rules, lines }) => {
        const r = billingCommission(lines, of(rules));
        if (!r.ok) return true;
        let bound = 0;
        for (const s of suppliers) {
          const base = baseOf(lines, s);
          if (base === 0) continue;
          const once = computeCommission(of(rules)(s), base).commissionKop;
          bound += once;
          const got = r.suppliers.find((x) => x.supplier === s)?.commissionKop ?? 0;
          if (got > once) return false;
        }
        return r.commissionKop <= bound;
      }),
      { numRuns: 500 },
    );
  });

  it('principal + commission = total to the kopeck; lines add up; nothing negative; an included supplier keeps at least a kopeck (property)', () => {
    fc.assert(
      fc.property(payment, ({ rules, lines }) => {
        const r = billingCommission(lines, of(rules));
        const gross = lines.reduce((t, l) => t + l.amountKop + l.penaltyKop, 0);
        if (!r.ok) {
          // Refused only when an included fee would take all the supplier's share.
          return of(rules)(r.supplier).mode === 'included' && r.commissionKop >= r.baseKop && r.baseKop === baseOf(lines, r.supplier);
        }
        const lineSum = r.lines.reduce((t, l) => t + l.amountKop + l.penaltyKop, 0);
        const lineFees = r.lines.reduce((t, l) => t + l.commissionKop, 0);
        const onTop = r.suppliers.filter((s) => s.mode === 'on_top').reduce((t, s) => t + s.commissionKop, 0);
        return (
          r.principalKop + r.commissionKop === r.totalKop &&
          lineSum === r.principalKop &&
          lineFees === r.commissionKop &&
          r.totalKop === gross + onTop &&
          r.lines.every(
            (l) =>
              l.amountKop >= 0 &&
              l.penaltyKop >= 0 &&
              l.commissionKop >= 0 &&
              Number.isSafeInteger(l.amountKop + l.penaltyKop + l.commissionKop),
          ) &&
          r.suppliers.every((s) => s.mode === 'on_top' || s.baseKop === 0 || s.principalKop >= 1)
        );
      }),
      { numRuns: 500 },
    );
  });

  it('splitting a supplier’s sum over more lines (periods) does not change its fee (property)', () => {
    fc.assert(
      fc.property(rule, fc.integer({ min: 1, max: 500_000 }), fc.integer({ min: 1, max: 6 }), (r, total, n) => {
        const one = billingCommission([{ supplier: 'a', amountKop: total, penaltyKop: 0 }], () => r);
        const parts = Array.from({ length: n }, (_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));
        const many = billingCommission(
          parts.map((p) => ({ supplier: 'a', amountKop: p, penaltyKop: 0 })),
          () => r,
        );
        return one.ok === many.ok && (!one.ok || (many.ok && one.commissionKop === many.commissionKop && one.totalKop === many.totalKop));
      }),
      { numRuns: 300 },
    );
  });

  it('the server’s reading of what the desk recorded finds the desk’s commission, for any payment (property)', () => {
    fc.assert(
      fc.property(payment, ({ rules, lines }) => {
        const r = billingCommission(lines, of(rules));
        if (!r.ok) return true;
        const recorded = r.lines
          .map((l, i) => ({ supplier: lines[i]?.supplier as string, ...l }))
          .filter((l) => l.amountKop + l.penaltyKop + l.commissionKop > 0);
        const e = expectedBillingCommission(recorded, of(rules), r.commissionKop);
        return e.commissionKop === r.commissionKop && e.suppliers.every((s) => s.expectedKop === s.recordedKop);
      }),
      { numRuns: 500 },
    );
  });
});
