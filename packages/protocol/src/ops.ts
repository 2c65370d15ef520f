/**
 * The operations a desk journals and pushes, one schema per type. The op id of a payment is the
 * payment's id everywhere: in the journal, at the register, on the server, at the provider.
 */
import { z } from 'zod';
import {
  accountNumber,
  fiscalAttrs,
  isoDate,
  isoDateTime,
  kop,
  meterValue,
  nonEmpty,
  opId,
  paymentMethod,
  period,
  positiveKop,
  serviceCode,
  uuid,
} from './primitives.ts';

export const OP_TYPES = [
  'payment.accepted',
  'thirdparty.accepted',
  'service.sold',
  'reading.submitted',
  'payment.reversed',
  'cash.in',
  'cash.out',
  'cash.counted',
  'shift.opened',
  'shift.closed',
  'correction.made',
] as const;
export type OpType = (typeof OP_TYPES)[number];

const actor = {
  cashierId: uuid,
  /** The register's shift number at the time. */
  shiftNumber: z.number().int().min(1),
};

const moneyBase = z.object({
  ...actor,
  /** The desk's human-readable number of the payment, printed on the receipt. */
  number: nonEmpty(32),
  acceptedAt: isoDateTime,
  method: paymentMethod,
  /** Cash handed over; change = tendered − total. */
  tenderedKop: kop.optional(),
  totalKop: positiveKop,
  commissionKop: kop,
  fiscal: fiscalAttrs,
  /** A card payment's approval: the bank's reference (RRN) and code, the card as the slip masks it. */
  card: z
    .object({
      rrn: z.string().max(20),
      authCode: z.string().max(12),
      maskedPan: z.string().max(24),
      source: z.enum(['terminal', 'slip']),
    })
    .optional(),
});

function tenderCovers(b: { method: string; tenderedKop?: number | undefined; totalKop: number }): boolean {
  return b.tenderedKop === undefined || b.method !== 'cash' || b.tenderedKop >= b.totalKop;
}

export const billingLine = z.object({
  serviceCode,
  period,
  /** Towards the principal debt (or an advance), to the supplier. */
  amountKop: kop,
  /** Towards the penalty (пени), to the supplier. */
  penaltyKop: kop,
  /** The agent's fee attributed to this line, when the supplier's rule charges one. */
  commissionKop: kop.optional(),
  /** Whose money the line is, when the charge names its own supplier (not the service's). */
  supplierId: uuid.optional(),
});

export const paymentAcceptedBody = moneyBase
  .extend({
    accountNumber,
    lines: z.array(billingLine).min(1).max(100),
  })
  .refine((b) => b.lines.reduce((s, l) => s + l.amountKop + l.penaltyKop, 0) + b.commissionKop === b.totalKop, {
    message: 'сумма строк и комиссии не равна итогу',
    path: ['totalKop'],
  })
  .refine(
    (b) =>
      b.lines.every((l) => l.commissionKop === undefined) || b.lines.reduce((s, l) => s + (l.commissionKop ?? 0), 0) === b.commissionKop,
    {
      message: 'комиссия по строкам не равна общей комиссии',
      path: ['commissionKop'],
    },
  )
  .refine(tenderCovers, { message: 'получено меньше суммы платежа', path: ['tenderedKop'] });

export const providerCheckResult = z.object({
  /** OSMP result code of the online check. */
  result: z.number().int(),
  comment: z.string().max(500).optional(),
  subscriberName: z.string().max(200).optional(),
  balanceKop: z.number().int().optional(),
});

export const thirdPartyAcceptedBody = moneyBase
  .extend({
    providerCode: serviceCode,
    account: nonEmpty(64),
    /** What reaches the provider. */
    amountKop: positiveKop,
    /** The online check done before accepting, when there was one. */
    check: providerCheckResult.optional(),
    checkSkippedOffline: z.boolean().optional(),
  })
  .refine((b) => b.amountKop + b.commissionKop === b.totalKop, {
    message: 'сумма поставщику и комиссия не сходятся с итогом',
    path: ['totalKop'],
  })
  .refine(tenderCovers, { message: 'получено меньше суммы платежа', path: ['tenderedKop'] });

export const serviceSoldBody = moneyBase
  .extend({
    items: z
      .array(
        z.object({
          code: serviceCode,
          name: nonEmpty(128),
          quantity: z.number().int().min(1).max(9999),
          priceKop: positiveKop,
          amountKop: positiveKop,
        }),
      )
      .min(1)
      .max(50),
  })
  .refine((b) => b.items.reduce((s, i) => s + i.amountKop, 0) + b.commissionKop === b.totalKop, {
    message: 'сумма позиций не равна итогу',
    path: ['totalKop'],
  })
  .refine(tenderCovers, { message: 'получено меньше суммы платежа', path: ['tenderedKop'] });

export const readingSubmittedBody = z.object({
  cashierId: uuid,
  accountNumber,
  meterId: uuid,
  meterSerial: nonEmpty(40),
  serviceCode,
  value: meterValue,
  readAt: isoDate,
  /** The period the reading counts for, after the cut-off rule. */
  period,
  submittedAt: isoDateTime,
  /** Codes of the findings the cashier confirmed, and every finding seen. */
  confirmed: z.array(z.string().max(64)).max(20),
  findings: z.array(z.string().max(64)).max(20),
});

export const paymentReversedBody = z.object({
  ...actor,
  originalOpId: opId,
  reason: nonEmpty(500),
  reversedAt: isoDateTime,
  approvedBy: uuid.optional(),
  method: paymentMethod,
  amountKop: positiveKop,
  fiscal: fiscalAttrs,
});

export const cashMoveBody = z.object({
  ...actor,
  amountKop: positiveKop,
  at: isoDateTime,
  comment: z.string().max(200).optional(),
});

export const cashCountedBody = z.object({
  ...actor,
  at: isoDateTime,
  countedKop: kop,
  expectedKop: z.number().int(),
  differenceKop: z.number().int(),
  /** Banknotes and coins counted, by face value in kopecks. */
  denominations: z.record(z.string().regex(/^\d{1,7}$/), z.number().int().min(0).max(100_000)).optional(),
});

export const shiftTotals = z.object({
  sales: z.object({ count: z.number().int().min(0), cashKop: kop, cardKop: kop }),
  returns: z.object({ count: z.number().int().min(0), cashKop: kop, cardKop: kop }),
  cashInKop: kop,
  cashOutKop: kop,
  drawerKop: z.number().int(),
});
export type ShiftTotals = z.infer<typeof shiftTotals>;

export const shiftOpenedBody = z.object({
  ...actor,
  openedAt: isoDateTime,
  openingFloatKop: kop,
  fiscalDocumentNumber: z.number().int().min(1).optional(),
});

export const shiftClosedBody = z.object({
  ...actor,
  closedAt: isoDateTime,
  fiscalDocumentNumber: z.number().int().min(1).optional(),
  registerTotals: shiftTotals,
  journalTotals: shiftTotals,
  /** Operations still unsent when the shift closed: they are kept and sent later. */
  unsentCount: z.number().int().min(0),
});

/** A correction receipt (чек коррекции): money taken or returned without a receipt, made good. */
export const correctionMadeBody = z.object({
  ...actor,
  number: nonEmpty(32),
  madeAt: isoDateTime,
  /** Correction of income (приход) or of a return (возврат прихода). */
  direction: z.enum(['income', 'return']),
  /** Tag 1173. */
  correctionType: z.enum(['self', 'instruction']),
  /** Tag 1178. */
  baseDate: isoDate,
  /** Tag 1179. */
  baseNumber: z.string().max(32),
  description: nonEmpty(128),
  method: paymentMethod,
  totalKop: positiveKop,
  supplierId: uuid.optional(),
  /** The senior cashier who issued it. */
  approvedBy: uuid,
  fiscal: fiscalAttrs,
});

export const opBodySchemas = {
  'payment.accepted': paymentAcceptedBody,
  'thirdparty.accepted': thirdPartyAcceptedBody,
  'service.sold': serviceSoldBody,
  'reading.submitted': readingSubmittedBody,
  'payment.reversed': paymentReversedBody,
  'cash.in': cashMoveBody,
  'cash.out': cashMoveBody,
  'cash.counted': cashCountedBody,
  'shift.opened': shiftOpenedBody,
  'shift.closed': shiftClosedBody,
  'correction.made': correctionMadeBody,
} as const satisfies Record<OpType, z.ZodType>;

export type OpBody<T extends OpType> = z.infer<(typeof opBodySchemas)[T]>;
export type PaymentAcceptedBody = OpBody<'payment.accepted'>;
export type ThirdPartyAcceptedBody = OpBody<'thirdparty.accepted'>;
export type ServiceSoldBody = OpBody<'service.sold'>;
export type ReadingSubmittedBody = OpBody<'reading.submitted'>;
export type PaymentReversedBody = OpBody<'payment.reversed'>;
export type CashMoveBody = OpBody<'cash.in'>;
export type CashCountedBody = OpBody<'cash.counted'>;
export type ShiftOpenedBody = OpBody<'shift.opened'>;
export type ShiftClosedBody = OpBody<'shift.closed'>;
export type CorrectionMadeBody = OpBody<'correction.made'>;

/** A typed operation: its type decides the shape of its body. */
export type Op = { [T in OpType]: { type: T; body: OpBody<T> } }[OpType];

export function parseOpBody(type: OpType, body: unknown): z.ZodSafeParseResult<unknown> {
  return opBodySchemas[type].safeParse(body);
}
