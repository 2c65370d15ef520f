import { describe, expect, it } from 'vitest';
import { checkReading, parseMeterValue, readingPeriod, type MeterSpec } from './readings.ts';

const meter: MeterSpec = {
  serial: 'ХВ-001',
  digits: 5,
  fractionDigits: 3,
  verificationDue: '2030-01-01',
  last: { valueMilli: 1_000_000, date: '2026-10-20' },
};
const ctx = { today: '2026-11-20', cutoffDay: 25 };
const codes = (r: ReturnType<typeof checkReading>): string[] => r.findings.map((f) => f.code);

describe('meter readings', () => {
  it('accepts an ordinary reading and computes consumption', () => {
    const r = checkReading(meter, { value: '1012,5', date: '2026-11-20' }, ctx);
    expect(r).toMatchObject({ acceptable: true, valueMilli: 1_012_500, consumptionMilli: 12_500, period: '2026-11', findings: [] });
  });

  it('refuses a future date, a date not after the previous one, and bad dates', () => {
    expect(codes(checkReading(meter, { value: '1010', date: '2026-11-21' }, ctx))).toContain('reading.future_date');
    expect(codes(checkReading(meter, { value: '1010', date: '2026-10-20' }, ctx))).toContain('reading.date_not_after_previous');
    expect(codes(checkReading(meter, { value: '1010', date: '2026-02-30' }, ctx))).toContain('reading.invalid_date');
    expect(checkReading(meter, { value: '1010', date: '2026-10-19' }, ctx).acceptable).toBe(false);
  });

  it('refuses a reading into a closed period', () => {
    const r = checkReading(meter, { value: '1010', date: '2026-11-10' }, { ...ctx, closedThrough: '2026-11' });
    expect(r.findings).toEqual([expect.objectContaining({ code: 'reading.closed_period', severity: 'error' })]);
    expect(r.acceptable).toBe(false);
  });

  it('counts readings after the cut-off day for the next month', () => {
    expect(readingPeriod('2026-11-25', 25)).toBe('2026-11');
    expect(readingPeriod('2026-11-26', 25)).toBe('2026-12');
    expect(readingPeriod('2026-12-31', 25)).toBe('2027-01');
    const r = checkReading(meter, { value: '1010', date: '2026-11-26' }, { today: '2026-11-28', cutoffDay: 25 });
    expect(r.period).toBe('2026-12');
    expect(r.findings).toEqual([expect.objectContaining({ code: 'reading.after_cutoff', severity: 'warning' })]);
    expect(r.acceptable).toBe(true);
  });

  it('a value below the previous one is a typo or a rollover: the cashier must say which (issue 19 item 16)', () => {
    const m: MeterSpec = { ...meter, last: { valueMilli: 99_990_000, date: '2026-10-20' } };
    const r = checkReading(m, { value: '00005', date: '2026-11-20' }, ctx);
    expect(r.consumptionMilli).toBe(15_000);
    expect(r.findings).toEqual([expect.objectContaining({ code: 'reading.rollover', severity: 'confirm' })]);
    expect(r.findings[0]?.message).toContain('ошибка ввода');
    expect(r.findings[0]?.message).toContain('через ноль');
    expect(r.acceptable).toBe(false);
    expect(r.unconfirmed).toEqual(['reading.rollover']);
    expect(checkReading(m, { value: '00005', date: '2026-11-20' }, ctx, ['reading.rollover']).acceptable).toBe(true);
  });

  it('a typo below the previous value reads as a huge rollover: both are to confirm', () => {
    const r = checkReading(meter, { value: '100', date: '2026-11-20' }, ctx);
    expect(codes(r)).toEqual(['reading.rollover', 'reading.jump']);
    expect(r.acceptable).toBe(false);
    expect(r.unconfirmed).toEqual(['reading.rollover', 'reading.jump']);
    // Confirming the jump alone (what an Enter on «Подтвердить» sent) does not take a rollover.
    expect(checkReading(meter, { value: '100', date: '2026-11-20' }, ctx, ['reading.jump']).acceptable).toBe(false);
  });

  it('a jump above the threshold needs confirmation, once given it passes', () => {
    const r = checkReading(meter, { value: '1600', date: '2026-11-20' }, ctx);
    expect(r.findings).toEqual([expect.objectContaining({ code: 'reading.jump', severity: 'confirm' })]);
    expect(r.acceptable).toBe(false);
    expect(checkReading(meter, { value: '1600', date: '2026-11-20' }, ctx, ['reading.jump']).acceptable).toBe(true);
    expect(checkReading({ ...meter, jumpThreshold: 1000 }, { value: '1600', date: '2026-11-20' }, ctx).acceptable).toBe(true);
  });

  it('warns about an expired verification', () => {
    const r = checkReading({ ...meter, verificationDue: '2026-06-01' }, { value: '1001', date: '2026-11-20' }, ctx);
    expect(r.findings).toEqual([expect.objectContaining({ code: 'reading.verification_expired', severity: 'warning' })]);
    expect(r.acceptable).toBe(true);
  });

  it('refuses values beyond the digit capacity, too many decimals, or not numbers', () => {
    expect(codes(checkReading(meter, { value: '100000', date: '2026-11-20' }, ctx))).toContain('reading.exceeds_capacity');
    expect(codes(checkReading({ ...meter, fractionDigits: 1 }, { value: '1001,25', date: '2026-11-20' }, ctx))).toContain(
      'reading.too_many_decimals',
    );
    for (const v of ['-1', 'abc', '', '1,2,3', '1e3'])
      expect(codes(checkReading(meter, { value: v, date: '2026-11-20' }, ctx)), v).toContain('reading.invalid_value');
  });

  it('a first reading has no consumption and no history checks', () => {
    const { last: _last, ...fresh } = meter;
    expect(checkReading(fresh, { value: '5', date: '2026-11-01' }, ctx)).toMatchObject({ acceptable: true, consumptionMilli: null });
  });

  it('parses meter values without floats', () => {
    expect(parseMeterValue('0,001')).toEqual({ milli: 1, decimals: 3 });
    expect(parseMeterValue('12345.6')).toEqual({ milli: 12_345_600, decimals: 1 });
    expect(parseMeterValue('1.2345')).toBeNull();
  });
});
