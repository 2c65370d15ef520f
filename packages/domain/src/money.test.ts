import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  formatRub,
  kopToDecimal,
  kopToRubNumber,
  mulDivRoundHalfUp,
  parseRub,
  rubNumberToKop,
  rubNumberToNearestKop,
  MAX_KOP,
} from './money.ts';

const kop = fc.integer({ min: -MAX_KOP, max: MAX_KOP });

describe('money', () => {
  it('formats Russian style with no-break spaces', () => {
    expect(formatRub(123456)).toBe('1\u00a0234,56\u00a0₽');
    expect(formatRub(5)).toBe('0,05\u00a0₽');
    expect(formatRub(-100000000)).toBe('-1\u00a0000\u00a0000,00\u00a0₽');
    expect(formatRub(100, { symbol: false })).toBe('1,00');
  });

  it('parses what people type', () => {
    expect(parseRub('1 234,56 ₽')).toEqual({ ok: true, kop: 123456 });
    expect(parseRub('1234.5')).toEqual({ ok: true, kop: 123450 });
    expect(parseRub('  15000 ')).toEqual({ ok: true, kop: 1500000 });
    expect(parseRub('1\u00a0000 руб.')).toEqual({ ok: true, kop: 100000 });
    expect(parseRub('0,1')).toEqual({ ok: true, kop: 10 });
    expect(parseRub('-10,00')).toEqual({ ok: true, kop: -1000 });
  });

  it('refuses what is not a sum', () => {
    for (const bad of ['', 'abc', '1,234,56', '1.005', '12e3', '1 2 3,4 5x', '--1']) {
      expect(parseRub(bad).ok, bad).toBe(false);
    }
    expect(parseRub('99999999999999').ok).toBe(false);
  });

  it('format then parse is the identity (property)', () => {
    fc.assert(
      fc.property(kop, (k) => {
        const back = parseRub(formatRub(k));
        return back.ok && back.kop === k;
      }),
    );
  });

  it('kopecks to register rubles and back lose nothing (property)', () => {
    // The number sent to a register is the double nearest to the exact two-decimal value.
    fc.assert(fc.property(kop, (k) => rubNumberToKop(kopToRubNumber(k)) === k && Number(kopToDecimal(k)) === kopToRubNumber(k)));
  });

  it('refuses register sums with more than two decimals instead of rounding them', () => {
    expect(() => rubNumberToKop(1.005)).toThrow();
    expect(rubNumberToKop(0.29)).toBe(29);
    expect(rubNumberToKop(1515)).toBe(151500);
  });

  it('takes a device sum with float noise or three decimals to the nearest kopeck, saying it rounded', () => {
    expect(rubNumberToNearestKop(4889.5599999999995)).toEqual({ kop: 488_956, exact: false });
    expect(rubNumberToNearestKop(725.745)).toEqual({ kop: 72_575, exact: false });
    expect(rubNumberToNearestKop(0.285)).toEqual({ kop: 29, exact: false });
    expect(rubNumberToNearestKop(4999.999999999999)).toEqual({ kop: 500_000, exact: false });
    expect(rubNumberToNearestKop(-10.004)).toEqual({ kop: -1000, exact: false });
    expect(rubNumberToNearestKop(1515)).toEqual({ kop: 151_500, exact: true });
    expect(rubNumberToNearestKop(0.1)).toEqual({ kop: 10, exact: true });
    expect(rubNumberToNearestKop(1e-7)).toEqual({ kop: 0, exact: false });
    expect(() => rubNumberToNearestKop(Number.NaN)).toThrow(RangeError);
    expect(() => rubNumberToNearestKop(1e20)).toThrow(RangeError);
    fc.assert(
      fc.property(kop, (k) => rubNumberToNearestKop(kopToRubNumber(k)).kop === k && rubNumberToNearestKop(kopToRubNumber(k)).exact),
    );
  });

  it('rounds percentages half up in exact arithmetic', () => {
    expect(mulDivRoundHalfUp(150, 1, 2)).toBe(75);
    expect(mulDivRoundHalfUp(1, 1, 2)).toBe(1);
    expect(mulDivRoundHalfUp(-1, 1, 2)).toBe(-1);
    expect(mulDivRoundHalfUp(MAX_KOP, 9999, 10000)).toBe(999_900_000_000);
  });
});
