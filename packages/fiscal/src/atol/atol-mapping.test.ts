/**
 * ATOL's answers in the port's terms: every entry of the libfptr error table, the odd sums a device
 * reports, and the drive's copy of a document (getFnDocument).
 */
import { describe, expect, it } from 'vitest';
import { ATOL_ERROR_CODES, atolError, atolErrorCode, documentOf, fiscalResultOf, readKop, shiftTotalsOf } from './atol-mapping.ts';
import type { FiscalErrorCode, FiscalOutcome } from '../port.ts';

/** Each code with the port's code and outcome it must give (issue 16 item 7: 1–4 and 241 are unknown). */
const EXPECTED: [number, FiscalErrorCode, FiscalOutcome][] = [
  [1, 'unavailable', 'unknown'],
  [2, 'unavailable', 'unknown'],
  [3, 'unavailable', 'unknown'],
  [4, 'unavailable', 'unknown'],
  [241, 'unavailable', 'unknown'],
  [15, 'outcome_unknown', 'unknown'],
  [44, 'paper_out', 'not_done'],
  [45, 'cover_open', 'not_done'],
  [53, 'return_exceeds', 'not_done'],
  [55, 'busy', 'not_done'],
  [68, 'shift_expired', 'not_done'],
  [141, 'shift_expired', 'not_done'],
  [73, 'shift_closed', 'not_done'],
  [83, 'shift_already_open', 'not_done'],
  [80, 'not_enough_cash', 'not_done'],
  [81, 'receipt_open', 'not_done'],
  [82, 'receipt_open', 'not_done'],
  [200, 'receipt_open', 'not_done'],
  [201, 'receipt_open', 'not_done'],
  [120, 'fn_problem', 'not_done'],
  [121, 'fn_problem', 'not_done'],
  [137, 'fn_problem', 'not_done'],
  [139, 'fn_problem', 'not_done'],
  [140, 'fn_problem', 'not_done'],
  [166, 'fn_problem', 'not_done'],
  [167, 'not_agent', 'not_done'],
  [177, 'outcome_unknown', 'unknown'],
  [203, 'outcome_unknown', 'unknown'],
];

describe('atol: libfptr error codes', () => {
  it('the table holds exactly the codes tested here', () => {
    expect(
      Object.keys(ATOL_ERROR_CODES)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(EXPECTED.map(([c]) => c).sort((a, b) => a - b));
  });

  it.each(EXPECTED)('code %i is %s, outcome %s', (code, port, outcome) => {
    expect(atolErrorCode(code)).toBe(port);
    const e = atolError(code, 'описание');
    expect(e).toMatchObject({ code: port, outcome, vendorCode: code });
    expect(e.message).toContain('описание');
  });

  it.each([13, 16, 66, 227, 501, 502, 503])('a code not in the table (%i) is the device refusing: rejected, not done', (code) => {
    expect(atolError(code, '')).toMatchObject({ code: 'rejected', outcome: 'not_done' });
  });
});

describe('atol: odd sums', () => {
  it('reads float noise and three decimals to the nearest kopeck, with a warning; two decimals silently', () => {
    const warnings: string[] = [];
    const warn = (m: string): number => warnings.push(m);
    expect(readKop(4889.5599999999995, 'cashDrawer', warn)).toBe(4_889_56);
    expect(readKop(725.745, 'total', warn)).toBe(725_75);
    expect(readKop(1515, 'total', warn)).toBe(1_515_00);
    expect(readKop('12.30', 'total', warn)).toBeNull();
    expect(readKop(Number.NaN, 'total', warn)).toBeNull();
    expect(readKop(1e20, 'total', warn)).toBeNull();
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toContain('4889.5599999999995');
  });

  it('a receipt total less than a kopeck from the receipt’s is the receipt’s; another is the device’s', () => {
    const warn = (): void => {};
    const params = (total: number): unknown => ({
      fiscalParams: {
        fiscalDocumentNumber: 7,
        fiscalDocumentDateTime: '2026-10-01T12:00:00+03:00',
        fnNumber: '1',
        fiscalDocumentSign: '2',
        total,
      },
    });
    expect(fiscalResultOf({ operationId: 'x', kind: 'sale', totalKop: 725_75 }, params(725.745), warn).totalKop).toBe(725_75);
    expect(fiscalResultOf({ operationId: 'x', kind: 'sale', totalKop: 725_75 }, params(1), warn).totalKop).toBe(1_00);
    expect(fiscalResultOf({ operationId: 'x', kind: 'sale', totalKop: 725_75 }, params(725.74), warn).totalKop).toBe(725_74);
  });

  it('shift totals with odd sums are read, not refused', () => {
    const t = shiftTotalsOf(
      {
        shiftTotals: {
          cashDrawer: { sum: 4889.5599999999995 },
          income: { sum: 100.001 },
          receipts: { sell: { count: 2, payments: { cash: 725.745 } } },
        },
      },
      () => {},
    );
    expect(t).toMatchObject({ drawerKop: 4_889_56, cashInKop: 100_00, sales: { count: 2, cashKop: 725_75, cardKop: 0 } });
  });
});

describe('atol: the drive’s copy of a document (getFnDocument)', () => {
  it('reads the kind from the document type and tag 1054, the sum from tag 1020', () => {
    const warn = (): void => {};
    const tlv = (t: Record<string, unknown>): unknown => ({
      documentTLV: { short: false, '1040': 12, '1012': '2026-10-01T12:00:00+03:00', ...t },
    });
    expect(documentOf(tlv({ fiscalDocumentType: 'receipt', '1054': 1, '1020': 725.745, '1077': 123 }), warn)).toMatchObject({
      documentNumber: 12,
      kind: 'sale',
      totalKop: 725_75,
      fiscalSign: '123',
      receiptType: 1,
    });
    expect(documentOf(tlv({ fiscalDocumentType: 'receipt', '1054': 2, '1020': 10 }), warn)).toMatchObject({
      kind: 'sale_return',
      totalKop: 10_00,
    });
    expect(documentOf(tlv({ fiscalDocumentType: 'receipt', '1054': 3, '1020': 10 }), warn)).toMatchObject({
      kind: 'other',
      receiptType: 3,
    });
    expect(documentOf(tlv({ fiscalDocumentType: 'openShift' }), warn)).toMatchObject({ kind: 'open_shift', totalKop: null });
    expect(documentOf(tlv({ fiscalDocumentType: 'closeShift' }), warn)).toMatchObject({ kind: 'close_shift' });
    expect(documentOf({ documentTLV: {} }, warn)).toBeNull();
    expect(documentOf(null, warn)).toBeNull();
  });
});
