/**
 * Valid examples of every operation body, for tests of the protocol and of the apps that speak it.
 * Each call returns a fresh object, so a test may mutate it freely.
 */
import type { OpBody, OpType } from './ops.ts';

const cashierId = '0190f0d6-0000-7000-8000-00000000c001';
const fiscal = { documentNumber: 12, fiscalSign: '2403680979', shiftNumber: 3, receiptNumber: 4, at: '2026-11-28T09:05:00+03:00' };

export function exampleBody<T extends OpType>(type: T): OpBody<T> {
  return structuredClone(EXAMPLES[type]);
}

const EXAMPLES: { [T in OpType]: OpBody<T> } = {
  'payment.accepted': {
    cashierId,
    shiftNumber: 3,
    number: 'К1-000004',
    acceptedAt: '2026-11-28T09:05:00+03:00',
    method: 'cash',
    tenderedKop: 200_000,
    totalKop: 152_734,
    commissionKop: 1_500,
    fiscal,
    accountNumber: '1234567',
    lines: [
      { serviceCode: 'MAINT', period: '2026-10', amountKop: 100_000, penaltyKop: 0 },
      { serviceCode: 'WATER', period: '2026-10', amountKop: 50_000, penaltyKop: 1_234 },
    ],
  },
  'thirdparty.accepted': {
    cashierId,
    shiftNumber: 3,
    number: 'К1-000005',
    acceptedAt: '2026-11-28T09:07:00+03:00',
    method: 'card',
    totalKop: 30_600,
    commissionKop: 600,
    fiscal: { ...fiscal, documentNumber: 13, receiptNumber: 5 },
    providerCode: 'MTS',
    account: '9161112233',
    amountKop: 30_000,
    check: { result: 0, subscriberName: 'Иванов И.И.' },
  },
  'service.sold': {
    cashierId,
    shiftNumber: 3,
    number: 'К1-000006',
    acceptedAt: '2026-11-28T09:10:00+03:00',
    method: 'cash',
    tenderedKop: 5_000,
    totalKop: 4_500,
    commissionKop: 0,
    fiscal: { ...fiscal, documentNumber: 14, receiptNumber: 6 },
    items: [{ code: 'COPY_A4', name: 'Ксерокопия А4', quantity: 3, priceKop: 1_500, amountKop: 4_500 }],
  },
  'reading.submitted': {
    cashierId,
    accountNumber: '1234567',
    meterId: '0190f0d6-0000-7000-8000-0000000000a1',
    meterSerial: 'ХВ-001',
    serviceCode: 'WATER',
    value: '1012,5',
    readAt: '2026-11-28',
    period: '2026-12',
    submittedAt: '2026-11-28T09:12:00+03:00',
    confirmed: [],
    findings: ['reading.after_cutoff'],
  },
  'payment.reversed': {
    cashierId,
    shiftNumber: 3,
    originalOpId: '0190f0d6-3c1e-7a00-8000-000000000001',
    reason: 'Ошибка в номере лицевого счёта',
    reversedAt: '2026-11-28T09:15:00+03:00',
    method: 'cash',
    amountKop: 152_734,
    fiscal: { ...fiscal, documentNumber: 15, receiptNumber: 7 },
  },
  'cash.in': { cashierId, shiftNumber: 3, amountKop: 500_000, at: '2026-11-28T08:01:00+03:00' },
  'cash.out': { cashierId, shiftNumber: 3, amountKop: 1_000_000, at: '2026-11-28T18:00:00+03:00', comment: 'Инкассация' },
  'cash.counted': {
    cashierId,
    shiftNumber: 3,
    at: '2026-11-28T18:05:00+03:00',
    countedKop: 99_900,
    expectedKop: 100_000,
    differenceKop: -100,
    denominations: { '500000': 0, '10000': 9, '5000': 1, '1000': 4, '100': 9 },
  },
  'correction.made': {
    cashierId,
    shiftNumber: 3,
    number: 'К1-000042',
    madeAt: '2026-11-28T12:00:00+03:00',
    direction: 'income',
    correctionType: 'self',
    baseDate: '2026-11-27',
    baseNumber: '1',
    description: 'Приём платежа без чека 27.11.2026',
    method: 'cash',
    totalKop: 25_000,
    approvedBy: cashierId,
    fiscal: { ...fiscal, documentNumber: 16, receiptNumber: 8 },
  },
  'shift.opened': { cashierId, shiftNumber: 3, openedAt: '2026-11-28T08:00:00+03:00', openingFloatKop: 500_000, fiscalDocumentNumber: 11 },
  'shift.closed': {
    cashierId,
    shiftNumber: 3,
    closedAt: '2026-11-28T20:00:00+03:00',
    fiscalDocumentNumber: 20,
    registerTotals: {
      sales: { count: 3, cashKop: 157_234, cardKop: 30_600 },
      returns: { count: 1, cashKop: 152_734, cardKop: 0 },
      cashInKop: 500_000,
      cashOutKop: 1_000_000,
      drawerKop: 4_500,
    },
    journalTotals: {
      sales: { count: 3, cashKop: 157_234, cardKop: 30_600 },
      returns: { count: 1, cashKop: 152_734, cardKop: 0 },
      cashInKop: 500_000,
      cashOutKop: 1_000_000,
      drawerKop: 4_500,
    },
    unsentCount: 0,
  },
};
