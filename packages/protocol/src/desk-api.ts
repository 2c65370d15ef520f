/**
 * The desk's own API, spoken by the cashier UI (and by anyone scripting a desk): requests the desk
 * validates before it touches the journal or the register, and the shapes of its answers.
 */
import { z } from 'zod';
import { accountNumber, isoDate, kop, meterValue, opId, paymentMethod, period, positiveKop, serviceCode, uuid } from './primitives.ts';
import { FORWARDING_STATES } from './reference.ts';

const common = {
  /** The cashier UI mints it once per form, so a double Enter or a resend is the same operation. */
  opId: opId.optional(),
  method: paymentMethod,
  /** Cash handed over; the change is computed. */
  tenderedKop: kop.optional(),
  /**
   * The payer's phone or e-mail for an electronic copy of the receipt (tag 1008), as typed: the desk
   * checks and normalises it (+7 and ten digits; an e-mail in lower case).
   */
  customerContact: z.string().max(100).optional(),
  /** The payer asked for the electronic receipt only: no paper, where the point's setting allows it. */
  paperless: z.boolean().optional(),
  /**
   * A card paid on a terminal not connected to the desk: the approval code (and the RRN when the slip
   * shows one) typed from the terminal's slip, kept in the journal with the payment.
   */
  cardApproval: z
    .object({
      code: z
        .string()
        .trim()
        .regex(/^[0-9A-Za-z]{2,8}$/, 'код авторизации — от 2 до 8 латинских букв и цифр со слипа'),
      rrn: z
        .string()
        .regex(/^\d{12}$/, 'RRN — 12 цифр со слипа')
        .optional(),
    })
    .optional(),
};

export const billingPaymentRequest = z
  .object({
    ...common,
    kind: z.literal('billing'),
    accountNumber,
    /** Lines as the cashier set them… */
    lines: z
      .array(z.object({ serviceCode, period, amountKop: kop, penaltyKop: kop.default(0) }))
      .min(1)
      .max(100)
      .optional(),
    /** …or a total to spread across the debts by the domain's rule. */
    amountKop: positiveKop.optional(),
    /** With amountKop: the penalty to pay out of it first, when the payer says so. */
    penaltyKop: kop.optional(),
    /** The scanned bill this pays (its period and sum), so a second scan of it finds this payment. */
    bill: z.object({ period: period.nullable(), amountKop: kop.nullable() }).optional(),
  })
  .refine((b) => (b.lines === undefined) !== (b.amountKop === undefined), {
    message: 'укажите либо строки (lines), либо общую сумму (amountKop)',
    path: ['amountKop'],
  });

export const thirdPartyPaymentRequest = z.object({
  ...common,
  kind: z.literal('thirdparty'),
  providerCode: serviceCode,
  account: z.string().trim().min(1).max(64),
  /** The amount the payer wants to pay to the provider (the commission is computed by the desk). */
  amountKop: positiveKop,
  /** When the provider requires an online check and it could not be done, the cashier's choice is not enough: the provider's policy decides. */
});

export const servicePaymentRequest = z.object({
  ...common,
  kind: z.literal('service'),
  items: z
    .array(z.object({ code: serviceCode, quantity: z.number().int().min(1).max(9999) }))
    .min(1)
    .max(50),
});

export const paymentRequest = z.union([billingPaymentRequest, thirdPartyPaymentRequest, servicePaymentRequest]);
export type PaymentRequest = z.infer<typeof paymentRequest>;
export type BillingPaymentRequest = z.infer<typeof billingPaymentRequest>;
export type ThirdPartyPaymentRequest = z.infer<typeof thirdPartyPaymentRequest>;
export type ServicePaymentRequest = z.infer<typeof servicePaymentRequest>;

export const fiscalView = z.object({
  documentNumber: z.number().int(),
  fiscalSign: z.string(),
  shiftNumber: z.number().int(),
  receiptNumber: z.number().int(),
  at: z.string(),
  qr: z.string().optional(),
  printed: z.boolean().optional(),
});

export type FiscalView = z.infer<typeof fiscalView>;

export const forwardingView = z.object({
  state: z.enum(FORWARDING_STATES),
  prvTxn: z.string().nullable().optional(),
  code: z.number().int().nullable().optional(),
  comment: z.string().nullable().optional(),
});

export const cardView = z.object({
  rrn: z.string(),
  authCode: z.string(),
  maskedPan: z.string(),
  cardType: z.string(),
  /** `terminal`: charged through the connected terminal; `slip`: typed from a standalone terminal's slip. */
  source: z.enum(['terminal', 'slip']),
  /** False when the slip could not be printed after the receipt (the register refused); null when none was due. */
  slipPrinted: z.boolean().nullable(),
});

export const paymentView = z.object({
  paymentId: uuid,
  number: z.string(),
  kind: z.enum(['billing', 'thirdparty', 'service']),
  state: z.enum(['fiscal_pending', 'done', 'failed']),
  totalKop: kop,
  commissionKop: kop,
  changeKop: kop,
  method: paymentMethod,
  fiscal: fiscalView.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable().optional(),
  sync: z
    .object({
      state: z.enum(['pending', 'applied', 'applied_with_review', 'rejected']),
      code: z.string().nullable().optional(),
      message: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
  forwarding: forwardingView.nullable().optional(),
  /** The bank's approval of a card payment, as the terminal (or the slip, typed) gave it. */
  card: cardView.nullable().optional(),
  /** What the cashier should know of the payment (a fee over the amount, a limit near), in Russian. */
  warnings: z.array(z.string()),
});
export type PaymentView = z.infer<typeof paymentView>;

export const readingRequest = z.object({
  opId: opId.optional(),
  accountNumber,
  meterId: uuid,
  value: meterValue,
  /** Today when absent. */
  date: isoDate.optional(),
  /** Codes of the findings the cashier has confirmed. */
  confirmed: z.array(z.string().max(64)).max(20).default([]),
});

export const reversalRequest = z.object({
  opId: opId.optional(),
  paymentId: uuid,
  reason: z.string().trim().min(3, 'укажите причину').max(500),
  /** A senior cashier's login and password, when the cashier's role does not allow the reversal. */
  approval: z.object({ login: z.string().trim().min(1).max(64), password: z.string().min(1).max(200) }).optional(),
});

/**
 * A correction receipt (чек коррекции, ФФД 1.2): money taken (or returned) without a receipt — the
 * register failed and the cashier wrote a note — made good by a senior cashier.
 */
export const correctionRequest = z
  .object({
    opId: opId.optional(),
    /** Correction of income (приход) or of a return (возврат прихода). */
    direction: z.enum(['income', 'return']),
    /** Tag 1173: on the point's own initiative, or on the tax authority's instruction. */
    correctionType: z.enum(['self', 'instruction']),
    /** Tag 1178 (ФФД 1.2): the date of the settlement being corrected — the day the money changed hands without a receipt. */
    baseDate: isoDate,
    /** Tag 1179: the basis document's number; required on an instruction. */
    baseNumber: z.string().trim().max(32).default(''),
    /** What the money was for, as the receipt's item names it. */
    description: z.string().trim().min(3, 'опишите, за что были деньги').max(128),
    amountKop: positiveKop,
    method: paymentMethod,
    /** The supplier whose payment was taken (an agent's item with the supplier's data); absent: the point's own service. */
    supplierId: uuid.optional(),
    /** A senior cashier's login and password, when the signed-in cashier is not one. */
    approval: z.object({ login: z.string().trim().min(1).max(64), password: z.string().min(1).max(200) }).optional(),
  })
  .refine((b) => b.correctionType !== 'instruction' || b.baseNumber !== '', {
    message: 'по предписанию нужен номер предписания',
    path: ['baseNumber'],
  });

export type CorrectionRequest = z.output<typeof correctionRequest>;

/** A senior cashier settles by hand an operation whose outcome the register cannot tell. */
export const settleRequest = z
  .object({
    opId: uuid,
    outcome: z.enum(['done', 'not_done']),
    /** The fiscal document number (ФД) the device shows for it, when done. */
    documentNumber: z.number().int().min(1).max(2_147_483_647).optional(),
    comment: z.string().trim().min(3, 'опишите, что показывает ККТ').max(500),
    approval: z.object({ login: z.string().trim().min(1).max(64), password: z.string().min(1).max(200) }).optional(),
  })
  .refine((r) => r.outcome === 'not_done' || r.documentNumber !== undefined, {
    message: 'укажите номер документа',
    path: ['documentNumber'],
  });

export const cashMoveRequest = z.object({
  opId: opId.optional(),
  amountKop: positiveKop,
  comment: z.string().trim().max(200).optional(),
});

export const cashCountRequest = z
  .object({
    opId: opId.optional(),
    /** Banknotes and coins by face value in kopecks, or the counted total. */
    denominations: z.record(z.string().regex(/^\d{1,7}$/), z.number().int().min(0).max(100_000)).optional(),
    countedKop: kop.optional(),
  })
  .refine((b) => (b.denominations === undefined) !== (b.countedKop === undefined), {
    message: 'укажите купюры (denominations) или итог (countedKop)',
    path: ['countedKop'],
  });

export const shiftOpenRequest = z.object({ opId: opId.optional(), openingFloatKop: kop.default(0) });
export const shiftCloseRequest = z.object({ opId: opId.optional(), confirmUnsent: z.boolean().default(false) });

export const sessionRequest = z.object({ login: z.string().trim().min(1).max(64), password: z.string().min(1).max(200) });

export const scanRequest = z.object({ text: z.string().max(4000) });

export const deskStatus = z.object({
  online: z.boolean(),
  unsentCount: z.number().int(),
  oldestUnsentAt: z.string().nullable(),
  rejectedCount: z.number().int(),
  lastSyncAt: z.string().nullable(),
  serverUrl: z.string().nullable(),
  enrolled: z.boolean(),
  reference: z.object({ loaded: z.boolean(), loading: z.boolean(), rows: z.number().int(), remaining: z.number().int().nullable() }),
  shift: z.object({
    open: z.boolean(),
    number: z.number().int().nullable(),
    openedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
  }),
  register: z.object({
    driver: z.string(),
    state: z.enum(['ready', 'attention', 'unavailable', 'reconciling']),
    connected: z.boolean(),
    paperPresent: z.boolean(),
    unsentToOfdCount: z.number().int(),
    oldestUnsentToOfdAt: z.string().nullable(),
    fnValidUntil: z.string().nullable(),
    drawerKop: z.number().int().nullable(),
    warnings: z.array(z.string()),
  }),
  fatal: z.string().nullable(),
  /** The PC's clock against the server's and against the desk's own last operation. */
  clock: z.object({ skewMs: z.number().int().nullable(), warning: z.string().nullable() }),
});
export type DeskStatus = z.infer<typeof deskStatus>;

/**
 * What a desk reports of itself to the server for the back office's live view (`POST
 * /api/v1/desks/status`): a part of its status, and who is signed in. Older desks report less, so
 * most parts are optional; the back office reads the stored report through this type.
 */
export const deskStatusReport = z.object({
  unsentCount: z.number().int().min(0),
  oldestUnsentAt: z.string().max(40).nullable(),
  rejectedCount: z.number().int().min(0).default(0),
  lastSyncAt: z.string().max(40).nullable().optional(),
  version: z.string().max(40).optional(),
  shift: z
    .object({
      open: z.boolean(),
      number: z.number().int().nullable(),
      openedAt: z.string().max(40).nullable(),
      expiresAt: z.string().max(40).nullable(),
    })
    .optional(),
  register: z
    .object({
      driver: z.string().max(20),
      connected: z.boolean(),
      paperPresent: z.boolean(),
      unsentToOfdCount: z.number().int().min(0),
      oldestUnsentToOfdAt: z.string().max(40).nullable(),
      fnValidUntil: z.string().max(40).nullable().optional(),
      warnings: z.array(z.string().max(64)).max(20).default([]),
    })
    .optional(),
  /** The cashier signed in most recently, if a session is still open. */
  cashier: z.string().max(200).nullable().optional(),
});
export type DeskStatusReport = z.output<typeof deskStatusReport>;

export const deskSettingsRequest = z.object({
  serverUrl: z.url().optional(),
  syncIntervalSeconds: z.number().int().min(5).max(3600).optional(),
  pullIntervalSeconds: z.number().int().min(5).max(3600).optional(),
  register: z
    .discriminatedUnion('driver', [
      z.object({ driver: z.literal('virtual') }),
      z.object({ driver: z.literal('atol'), url: z.url(), user: z.string().max(100).optional(), password: z.string().max(200).optional() }),
      z.object({
        driver: z.literal('kkmserver'),
        url: z.url(),
        user: z.string().max(100).optional(),
        password: z.string().max(200).optional(),
        /** KKMServer's device number; 0 or absent: the first free device (the driver then keeps to it). */
        numDevice: z.number().int().min(0).max(3000).optional(),
      }),
    ])
    .optional(),
  /** The card terminal: takes effect when the desk restarts, like the register. */
  terminal: z
    .discriminatedUnion('driver', [
      z.object({ driver: z.literal('virtual') }),
      z.object({ driver: z.literal('standalone') }),
      z.object({
        driver: z.literal('kkmserver'),
        url: z.url(),
        user: z.string().max(100).optional(),
        password: z.string().max(200).optional(),
        /** KKMServer's number of the terminal device; 0 or absent: the first free one. */
        numDevice: z.number().int().min(0).max(3000).optional(),
      }),
    ])
    .optional(),
  printChange: z.boolean().optional(),
  language: z.enum(['ru', 'en']).optional(),
});

export const enrollDeskRequest = z.object({
  serverUrl: z.url(),
  code: z.string().trim().min(6).max(64),
  /** The desk's own one-time code (its console log, enroll.pin): needed for a desk not enrolled yet. */
  pin: z.string().trim().max(16).optional(),
});

export const accountSearchQuery = z.object({
  q: z.string().trim().min(1).max(100),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
