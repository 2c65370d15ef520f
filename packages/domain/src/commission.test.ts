import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeCommission, describeCommission, validateCommissionRule, type CommissionRule } from './commission.ts';
import { formatRub } from './money.ts';

describe('commission', () => {
  it('percent on top, rounded half up', () => {
    const rule: CommissionRule = { kind: 'percent', mode: 'on_top', rateBp: 150 };
    expect(computeCommission(rule, 100_00)).toEqual({ commissionKop: 1_50, principalKop: 100_00, totalKop: 101_50 });
    // 1,5 % of 0,33 ₽ = 0,495 коп. → 0
    expect(computeCommission(rule, 33).commissionKop).toBe(0);
    // 1,5 % of 1,00 ₽ = 1,5 коп. → 2
    expect(computeCommission(rule, 100).commissionKop).toBe(2);
  });

  it('percent with a minimum and a maximum', () => {
    const rule: CommissionRule = { kind: 'percent', mode: 'on_top', rateBp: 100, minKop: 10_00, maxKop: 50_00 };
    expect(computeCommission(rule, 100_00).commissionKop).toBe(10_00);
    expect(computeCommission(rule, 2_000_00).commissionKop).toBe(20_00);
    expect(computeCommission(rule, 10_000_00).commissionKop).toBe(50_00);
  });

  it('included: the fee comes out of the amount', () => {
    const rule: CommissionRule = { kind: 'percent', mode: 'included', rateBp: 200 };
    expect(computeCommission(rule, 100_00)).toEqual({ commissionKop: 2_00, principalKop: 98_00, totalKop: 100_00 });
    expect(computeCommission({ kind: 'fixed', mode: 'included', amountKop: 500 }, 300)).toEqual({
      commissionKop: 300,
      principalKop: 0,
      totalKop: 300,
    });
  });

  it('fixed and tiered', () => {
    expect(computeCommission({ kind: 'fixed', mode: 'on_top', amountKop: 30_00 }, 100_00).totalKop).toBe(130_00);
    const tiered: CommissionRule = {
      kind: 'tiered',
      mode: 'on_top',
      tiers: [
        { fromKop: 0, fee: { kind: 'fixed', amountKop: 10_00 } },
        { fromKop: 1_000_00, fee: { kind: 'percent', rateBp: 100 } },
        { fromKop: 5_000_00, fee: { kind: 'none' } },
      ],
    };
    expect(computeCommission(tiered, 999_99).commissionKop).toBe(10_00);
    expect(computeCommission(tiered, 1_000_00).commissionKop).toBe(10_00);
    expect(computeCommission(tiered, 2_000_00).commissionKop).toBe(20_00);
    expect(computeCommission(tiered, 5_000_00).commissionKop).toBe(0);
  });

  it('zero commission is a rule too', () => {
    expect(computeCommission({ kind: 'none', mode: 'on_top' }, 12345)).toEqual({ commissionKop: 0, principalKop: 12345, totalKop: 12345 });
  });

  const fee = fc.oneof(
    fc.constant({ kind: 'none' as const }),
    fc.record({ kind: fc.constant('fixed' as const), amountKop: fc.integer({ min: 0, max: 100_000 }) }),
    fc.record({ kind: fc.constant('percent' as const), rateBp: fc.integer({ min: 0, max: 1000 }) }),
  );
  const rule: fc.Arbitrary<CommissionRule> = fc.oneof(
    fc.tuple(fee, fc.constantFrom('on_top' as const, 'included' as const)).map(([f, mode]) => ({ ...f, mode })),
    fc.record({
      kind: fc.constant('tiered' as const),
      mode: fc.constantFrom('on_top' as const, 'included' as const),
      tiers: fc.uniqueArray(fc.record({ fromKop: fc.integer({ min: 0, max: 1_000_000 }), fee }), {
        minLength: 1,
        maxLength: 4,
        selector: (t) => t.fromKop,
      }),
    }),
  );

  it('principal + commission = total, nothing negative (property)', () => {
    fc.assert(
      fc.property(rule, fc.integer({ min: 0, max: 100_000_000 }), (r, amount) => {
        const c = computeCommission(r, amount);
        return (
          c.principalKop + c.commissionKop === c.totalKop &&
          c.commissionKop >= 0 &&
          c.principalKop >= 0 &&
          Number.isInteger(c.commissionKop)
        );
      }),
    );
  });

  it('a percent fee never decreases as the amount grows (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (bp, a, b) => {
          const r: CommissionRule = { kind: 'percent', mode: 'on_top', rateBp: bp };
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          return computeCommission(r, lo).commissionKop <= computeCommission(r, hi).commissionKop;
        },
      ),
    );
  });

  it('validates rules an administrator typed', () => {
    expect(validateCommissionRule({ kind: 'percent', mode: 'on_top', rateBp: 150 })).toBeNull();
    expect(validateCommissionRule({ kind: 'percent', mode: 'on_top', rateBp: -1 })).not.toBeNull();
    expect(validateCommissionRule({ kind: 'percent', mode: 'on_top', rateBp: 100, minKop: 10, maxKop: 5 })).not.toBeNull();
    expect(validateCommissionRule({ kind: 'tiered', mode: 'on_top', tiers: [] })).not.toBeNull();
    expect(validateCommissionRule({ kind: 'fixed', mode: 'on_top', amountKop: 1.5 })).not.toBeNull();
  });

  it('describes a rule in Russian', () => {
    expect(describeCommission({ kind: 'percent', mode: 'on_top', rateBp: 150, minKop: 1000 }, formatRub)).toBe(
      '1,5 % (мин. 10,00\u00a0₽), сверх суммы',
    );
    expect(describeCommission({ kind: 'none', mode: 'on_top' }, formatRub)).toBe('без комиссии');
  });
});
