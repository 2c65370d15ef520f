import { describe, expect, it } from 'vitest';
import { ago, date, meterValue, parseRuDate } from './format.ts';

describe('dates as a person in Russia writes them', () => {
  it('reads 28.11.2026, 28.11.26, 1.2.2026, 28-11-2026 and 28112026 as the ISO day', () => {
    expect(parseRuDate('28.11.2026')).toBe('2026-11-28');
    expect(parseRuDate(' 28.11.26 ')).toBe('2026-11-28');
    expect(parseRuDate('1.2.2026')).toBe('2026-02-01');
    expect(parseRuDate('28-11-2026')).toBe('2026-11-28');
    expect(parseRuDate('28112026')).toBe('2026-11-28');
  });

  it('refuses what is no real day or not in this order (the US 11/28/2026 included)', () => {
    for (const bad of ['31.02.2026', '11/28/2026', '2026-11-28', '28.13.2026', '00.11.2026', '28.11', '', 'вчера', '29.02.2027'])
      expect(parseRuDate(bad), bad).toBeNull();
    expect(parseRuDate('29.02.2028')).toBe('2028-02-29');
  });

  it('shows a day as 28.11.2026', () => {
    expect(date('2026-11-28')).toBe('28.11.2026');
  });
});

describe('how long ago', () => {
  const now = Date.parse('2026-12-04T10:00:00Z');
  it('says «только что» for a moment, then seconds, minutes, hours and days', () => {
    expect(ago('2026-12-04T09:59:57Z', now)).toBe('только что');
    expect(ago('2026-12-04T09:59:20Z', now)).toBe('40 с назад');
    expect(ago('2026-12-04T09:55:00Z', now)).toBe('5 мин назад');
    expect(ago('2026-12-04T06:50:00Z', now)).toBe('3 ч 10 мин назад');
    expect(ago('2026-12-01T10:00:00Z', now)).toBe('3 дн назад');
    expect(ago(null, now)).toBe('никогда');
  });
});

describe('meter values', () => {
  it('show one decimal mark, grouped thousands and no trailing zeros, however the value came', () => {
    expect(meterValue('189.3')).toBe('189,3');
    expect(meterValue('189,300')).toBe('189,3');
    expect(meterValue('99100')).toBe('99\u00a0100');
    expect(meterValue('12345.000')).toBe('12\u00a0345');
    expect(meterValue(null)).toBe('—');
  });
});
