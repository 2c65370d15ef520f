import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkLimits } from './limits.ts';
import { elsOf, isEls, isIpd, isIzhku, isValidInn, normalizeGisId, normalizeRuPhone } from './identifiers.ts';
import { addMonths, isPeriod, normalizePaymPeriod } from './period.ts';
import { v7 as uuidv7 } from 'uuid';
import { timeOrderedTxnId, txnIdCandidates, txnIdFromOpId, uuidV7Timestamp } from './txn-id.ts';

describe('limits', () => {
  it('caps a subagent at 15 000 ₽ by default, and applies the provider’s min and max', () => {
    expect(checkLimits({ amountKop: 1_500_000, agentType: 'paying_subagent' })).toEqual({ ok: true });
    expect(checkLimits({ amountKop: 1_500_001, agentType: 'paying_subagent' })).toMatchObject({ ok: false, code: 'limit.subagent_cap' });
    expect(checkLimits({ amountKop: 1_500_001, agentType: 'paying_agent' })).toEqual({ ok: true });
    expect(checkLimits({ amountKop: 2_000_000, agentType: 'paying_subagent', subagentCapKop: 3_000_000 })).toEqual({ ok: true });
    expect(checkLimits({ amountKop: 99, agentType: 'paying_agent', minKop: 100 })).toMatchObject({ code: 'limit.below_min' });
    expect(checkLimits({ amountKop: 101, agentType: 'paying_agent', maxKop: 100 })).toMatchObject({ code: 'limit.above_max' });
    expect(checkLimits({ amountKop: 0, agentType: 'paying_agent' })).toMatchObject({ code: 'limit.zero' });
  });
});

describe('identifiers', () => {
  it('ЕЛС, ИЖКУ, ИПД by shape, with Latin look-alikes mapped', () => {
    expect(isEls('20МВ875415')).toBe(true);
    expect(isEls('20MB875415')).toBe(true);
    expect(normalizeGisId('20mb875415')).toBe('20МВ875415');
    expect(isIzhku('20МВ875415-07')).toBe(true);
    expect(isIpd('20МВ875415-07-1051')).toBe(true);
    expect(elsOf('20МВ875415-07-1051')).toBe('20МВ875415');
    expect(isEls('2026875415')).toBe(false);
  });

  it('ИНН control digits', () => {
    expect(isValidInn('7707083893')).toBe(true);
    expect(isValidInn('500100732259')).toBe(true);
    expect(isValidInn('7707083894')).toBe(false);
    expect(isValidInn('77070838')).toBe(false);
  });

  it('phones', () => {
    expect(normalizeRuPhone('8 (916) 111-22-33')).toBe('+79161112233');
    expect(normalizeRuPhone('9161112233')).toBe('+79161112233');
    expect(normalizeRuPhone('+7 916 111 22 33')).toBe('+79161112233');
    expect(normalizeRuPhone('12345')).toBeNull();
  });
});

describe('periods', () => {
  it('adds months across years', () => {
    expect(addMonths('2026-11', 2)).toBe('2027-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(isPeriod('2026-13')).toBe(false);
    expect(normalizePaymPeriod('13.2020')).toBeNull();
  });
});

describe('OSMP txn_id from a UUIDv7', () => {
  it('is stable, numeric, fits a signed 64-bit integer and keeps time order across milliseconds', () => {
    const a = '019ac9a4-1b2c-7def-8123-456789abcdef';
    expect(txnIdFromOpId(a)).toBe(txnIdFromOpId(a));
    expect(txnIdFromOpId(a)).toMatch(/^\d{1,19}$/);
    expect(BigInt(txnIdFromOpId(a)) < 2n ** 63n).toBe(true);
    expect(uuidV7Timestamp(a)).toBe(0x019ac9a41b2c);
    expect(() => txnIdFromOpId('not-a-uuid')).toThrow();
  });

  it('an op id from a clock outside 2020…2089 still has candidates; every candidate is a positive 63-bit number, distinct and stable', () => {
    for (const id of [
      '016a0000-0000-7abc-8def-0123456789ab',
      '00000000-0000-7000-8000-000000000000',
      'ffffffff-ffff-7fff-bfff-ffffffffffff',
      '019ac9a4-1b2c-7def-8123-456789abcdef',
    ]) {
      const c = txnIdCandidates(id);
      expect(c).toHaveLength(8);
      expect(new Set(c).size).toBe(8);
      for (const x of c) expect(BigInt(x) > 0n && BigInt(x) < 2n ** 63n, x).toBe(true);
      expect(txnIdCandidates(id)).toEqual(c);
      expect(txnIdFromOpId(id)).toBe(c[0]);
    }
    expect(txnIdFromOpId('019ac9a4-1b2c-7def-8123-456789abcdef')).toBe(timeOrderedTxnId('019ac9a4-1b2c-7def-8123-456789abcdef'));
  });

  it('ids minted by one counter-keeping generator in one millisecond never share a txn_id', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7f_ff_ff_ff }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (seq0, random) => {
        const seen = new Set<string>();
        for (let i = 0; i < 300; i++) {
          const id = uuidv7({ msecs: 1_780_000_000_000, seq: (seq0 + i) | 0, random });
          seen.add(txnIdFromOpId(id));
        }
        return seen.size === 300;
      }),
      { numRuns: 50 },
    );
  });
});
