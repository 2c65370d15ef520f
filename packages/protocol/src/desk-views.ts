/**
 * What the desk answers its cashier UI, declared once: the desk's routes serialise through these
 * schemas (the OpenAPI shows them), and both the desk and its UI take their types from here.
 * Fastify serialises an answer through its schema and drops keys the schema does not name, so a
 * field is added here first, then in the store that fills it.
 */
import { z } from 'zod';
import { commissionRuleSchema } from './reference.ts';

const nullableString = z.string().nullable();

export const accountHitView = z.object({
  number: z.string(),
  els: nullableString,
  address: z.string(),
  ownerName: nullableString,
  status: z.enum(['active', 'closed']),
});
export type AccountHitView = z.infer<typeof accountHitView>;

export const debtLineView = z.object({
  serviceCode: z.string(),
  serviceName: z.string(),
  supplier: z.object({ id: z.string(), name: z.string(), inn: z.string(), phone: nullableString }),
  period: z.string(),
  dueKop: z.number().int(),
  penaltyKop: z.number().int(),
  /** What is left to pay of the principal and of the penalty after every payment known here. */
  debtKop: z.number().int(),
  penaltyDebtKop: z.number().int(),
  /** Paid ahead on the line (a negative debt from the billing, or payments above it). */
  advanceKop: z.number().int(),
  chargeKop: z.number().int().nullable(),
});
export type DebtLineView = z.infer<typeof debtLineView>;

export const meterView = z.object({
  id: z.string(),
  serviceCode: z.string(),
  serviceName: z.string(),
  serial: z.string(),
  digits: z.number().int(),
  fractionDigits: z.number().int(),
  verificationDue: nullableString,
  jumpThreshold: z.number().nullable(),
  lastValue: nullableString,
  lastDate: nullableString,
});
export type MeterView = z.infer<typeof meterView>;

export const recentPaymentView = z.object({
  paymentId: z.string(),
  number: z.string(),
  createdAt: z.string(),
  totalKop: z.number().int(),
  state: z.string(),
  reversed: z.boolean(),
});

export const accountDetailsView = accountHitView.extend({
  city: nullableString,
  street: nullableString,
  house: nullableString,
  building: nullableString,
  flat: nullableString,
  debts: z.array(debtLineView),
  totalDebtKop: z.number().int(),
  totalAdvanceKop: z.number().int(),
  meters: z.array(meterView),
  recentPayments: z.array(recentPaymentView),
});
export type AccountDetailsView = z.infer<typeof accountDetailsView>;

export const accountSearchAnswer = z.object({
  /** The first matches, best first (as many as the query's limit). */
  items: z.array(accountHitView),
  /** How many accounts match in all, counted up to 1 000: the list says when it shows only some. */
  total: z.number().int(),
  /** More than 1 000 match: `total` is that cap. */
  totalCapped: z.boolean(),
});
export type AccountSearchAnswer = z.infer<typeof accountSearchAnswer>;

const qrWarning = z.object({ code: z.string(), message: z.string(), key: z.string().optional() });

/** A payment already taken on a bill: the cashier is told before taking it again. */
export const billPaymentView = z.object({
  number: z.string(),
  at: z.string(),
  totalKop: z.number().int(),
  /** The desk that took it, when another one did. */
  deskName: nullableString,
});
export type BillPaymentView = z.infer<typeof billPaymentView>;

/** Payments on an account for a period, as the server knows them from every desk (asked by a desk on a scan). */
export const billPaymentsQuery = z.object({
  account: z.string().trim().min(1).max(30),
  period: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
    .optional(),
  /** The bill's sum: payments of exactly this principal (with a period: since the bill could exist). */
  amountKop: z.coerce.number().int().min(1).max(1_000_000_000_000).optional(),
});
export const billPaymentsAnswer = z.object({ items: z.array(billPaymentView.extend({ opId: z.string() })) });

/** What a barcode resolved to: our account from a bill, a provider by its payee, or nothing of ours. */
export const scanView = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('bill'),
    accountNumber: z.string(),
    amountKop: z.number().int().nullable(),
    sumNeedsConfirmation: z.boolean(),
    period: nullableString,
    payee: nullableString,
    warnings: z.array(qrWarning),
    /** Payments already taken on this bill (same account and period; with no period, the same sum). */
    paid: z.array(billPaymentView),
    /** Where they were looked for: every desk (the server answered) or this desk's journal only. */
    paidChecked: z.enum(['server', 'this_desk']),
  }),
  z.object({
    kind: z.literal('foreign_payee'),
    payee: nullableString,
    payeeInn: nullableString,
    message: z.string(),
  }),
  z.object({
    kind: z.literal('provider'),
    providerCode: z.string(),
    account: nullableString,
    amountKop: z.number().int().nullable(),
    payee: nullableString,
    warnings: z.array(qrWarning),
  }),
  z.object({
    kind: z.literal('bill_unknown_account'),
    references: z.array(z.string()),
    payee: nullableString,
    amountKop: z.number().int().nullable(),
    message: z.string(),
    warnings: z.array(qrWarning),
  }),
  z.object({ kind: z.literal('unknown'), message: z.string() }),
]);
export type ScanView = z.infer<typeof scanView>;

/** A provider as the cashier's screen needs it: never its address or credentials at the provider. */
export const providerView = z.object({
  code: z.string(),
  name: z.string(),
  category: z.string(),
  accountLabel: z.string(),
  accountMask: z.string(),
  accountExample: z.string(),
  normalize: z.enum(['none', 'digits', 'phone']),
  minKop: z.number().int().nullable(),
  maxKop: z.number().int().nullable(),
  commission: commissionRuleSchema,
  checkRequired: z.boolean(),
  offlineAllowed: z.boolean(),
});
export type ProviderView = z.infer<typeof providerView>;

export const priceItemView = z.object({
  code: z.string(),
  name: z.string(),
  priceKop: z.number().int(),
  unit: z.string(),
  vat: z.string(),
});
export type PriceItemView = z.infer<typeof priceItemView>;

export const cashierView = z.object({
  id: z.string(),
  login: z.string(),
  name: z.string(),
  role: z.enum(['cashier', 'senior_cashier', 'admin']),
  inn: z.string().nullable(),
});
export type CashierView = z.infer<typeof cashierView>;

/** What a payment would come to before any money is taken. */
export const paymentQuoteView = z.object({
  totalKop: z.number().int(),
  commissionKop: z.number().int(),
  changeKop: z.number().int(),
  /** What the payer gives towards the suppliers (or the provider), before any fee on top. */
  amountKop: z.number().int(),
  lines: z
    .array(
      z.object({
        serviceCode: z.string(),
        period: z.string(),
        amountKop: z.number().int(),
        penaltyKop: z.number().int(),
        commissionKop: z.number().int(),
        supplierId: z.string(),
      }),
    )
    .nullable(),
  items: z
    .array(
      z.object({ code: z.string(), name: z.string(), quantity: z.number().int(), priceKop: z.number().int(), amountKop: z.number().int() }),
    )
    .nullable(),
  /** A billing payment's commission, supplier by supplier: each rule applies once to the supplier's share. */
  suppliers: z.array(
    z.object({
      supplierId: z.string(),
      name: z.string(),
      rule: z.string(),
      mode: z.enum(['on_top', 'included']),
      baseKop: z.number().int(),
      commissionKop: z.number().int(),
      principalKop: z.number().int(),
      feeExceedsBase: z.boolean(),
    }),
  ),
  warnings: z.array(z.string()),
  /**
   * A billing payment above the account's debt by more than the margin (setting
   * overpaymentMarginPercent): the cashier confirms it, the excess shown as an advance.
   */
  overpayment: z.object({ debtKop: z.number().int(), advanceKop: z.number().int() }).nullable(),
});
export type PaymentQuoteView = z.infer<typeof paymentQuoteView>;
