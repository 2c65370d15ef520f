import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allocateTotal, checkExplicitLines, splitProportionally, type AllocationLine } from './allocation.ts';

const line = fc.record({
  debtKop: fc.integer({ min: 0, max: 5_000_000 }),
  penaltyKop: fc.integer({ min: 0, max: 100_000 }),
  chargeKop: fc.integer({ min: 0, max: 1_000_000 }),
});
const lines = fc.array(line, { minLength: 1, maxLength: 12 }).map((ls) => ls.map<AllocationLine>((l, i) => ({ key: `S${i}`, ...l })));

describe('allocation', () => {
  it('spreads a partial payment in proportion to the debts', () => {
    const r = allocateTotal(100_00, [
      { key: 'water', debtKop: 300_00 },
      { key: 'heat', debtKop: 100_00 },
    ]);
    expect(r).toEqual([
      { key: 'water', amountKop: 75_00, penaltyKop: 0 },
      { key: 'heat', amountKop: 25_00, penaltyKop: 0 },
    ]);
  });

  it('gives the leftover kopecks to the largest remainders, ties to the earlier line', () => {
    expect(splitProportionally(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(splitProportionally(2, [1, 1, 1])).toEqual([1, 1, 0]);
    expect(splitProportionally(10, [1, 2, 3])).toEqual([2, 3, 5]);
    expect(splitProportionally(5, [0, 0])).toEqual([5, 0]);
  });

  it('pays debts first, then penalties, then an advance by monthly charge', () => {
    const r = allocateTotal(1_200_00, [
      { key: 'a', debtKop: 300_00, penaltyKop: 50_00, chargeKop: 300_00 },
      { key: 'b', debtKop: 500_00, penaltyKop: 0, chargeKop: 100_00 },
    ]);
    // debts 800, penalty 50, advance 350 split 3:1
    expect(r).toEqual([
      { key: 'a', amountKop: 300_00 + 262_50, penaltyKop: 50_00 },
      { key: 'b', amountKop: 500_00 + 87_50, penaltyKop: 0 },
    ]);
  });

  it('spreads a pure advance by debt when no charge is known, else to the first line', () => {
    expect(
      allocateTotal(100, [
        { key: 'a', debtKop: 0 },
        { key: 'b', debtKop: 0 },
      ]).map((l) => l.amountKop),
    ).toEqual([100, 0]);
  });

  it('refuses negative sums and inputs', () => {
    expect(() => allocateTotal(-1, [{ key: 'a', debtKop: 1 }])).toThrow();
    expect(() => allocateTotal(1, [{ key: 'a', debtKop: -1 }])).toThrow();
    expect(() => allocateTotal(1, [])).toThrow();
    expect(() => allocateTotal(1.5, [{ key: 'a', debtKop: 1 }])).toThrow();
  });

  it('parts always add up to the sum and none is negative (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50_000_000 }), lines, (total, ls) => {
        const r = allocateTotal(total, ls);
        const sum = r.reduce((s, l) => s + l.amountKop + l.penaltyKop, 0);
        return sum === total && r.every((l) => l.amountKop >= 0 && l.penaltyKop >= 0 && Number.isInteger(l.amountKop));
      }),
    );
  });

  it('a sum within the debt never overpays a line and pays no penalty (property)', () => {
    fc.assert(
      fc.property(lines, fc.double({ min: 0, max: 1, noNaN: true }), (ls, share) => {
        const debt = ls.reduce((s, l) => s + l.debtKop, 0);
        const total = Math.floor(debt * share);
        const r = allocateTotal(total, ls);
        return r.every((l, i) => l.amountKop <= ls[i]!.debtKop && l.penaltyKop === 0);
      }),
    );
  });

  it('equal lines get equal parts, give or take the one leftover kopeck (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (n, debt, total) => {
          const r = allocateTotal(
            total,
            Array.from({ length: n }, (_, i) => ({ key: String(i), debtKop: debt })),
          );
          const amounts = r.map((l) => l.amountKop);
          return Math.max(...amounts) - Math.min(...amounts) <= 1;
        },
      ),
    );
  });

  it('is deterministic (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        lines,
        (total, ls) =>
          JSON.stringify(allocateTotal(total, ls)) ===
          JSON.stringify(
            allocateTotal(
              total,
              ls.map((l) => ({ ...l })),
            ),
          ),
      ),
    );
  });

  it('checks lines the cashier set by hand', () => {
    expect(
      checkExplicitLines([
        { key: 'a', amountKop: 100 },
        { key: 'b', amountKop: 50 },
      ]),
    ).toEqual({ ok: true, totalKop: 150 });
    expect(checkExplicitLines([{ key: 'a', amountKop: -1 }])).toMatchObject({ ok: false, code: 'allocation.negative' });
    expect(
      checkExplicitLines([
        { key: 'a', amountKop: 1 },
        { key: 'a', amountKop: 1 },
      ]),
    ).toMatchObject({ ok: false, code: 'allocation.duplicate_line' });
    expect(checkExplicitLines([{ key: 'a', amountKop: 0 }])).toMatchObject({ ok: false, code: 'allocation.empty' });
    expect(checkExplicitLines([{ key: 'x', amountKop: 1 }], new Set(['a']))).toMatchObject({ ok: false, code: 'allocation.unknown_line' });
  });
});
