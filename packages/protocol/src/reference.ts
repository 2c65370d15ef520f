/**
 * Reference data as the server sends it to desks by pull: accounts, their charges and meters,
 * suppliers and services, providers and the price list, cashiers and settings. Every row carries the
 * version it was last changed at; a desk applies a row only when it is newer than what it holds.
 */
import { z } from 'zod';
import { accountNumber, inn, isoDate, isoDateTime, kop, period, role, serviceCode, uuid } from './primitives.ts';

const version = z.string().regex(/^\d{1,19}$/);

export const feeRuleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('percent'), rateBp: z.number().int().min(0).max(10_000), minKop: kop.optional(), maxKop: kop.optional() }),
  z.object({ kind: z.literal('fixed'), amountKop: kop }),
]);
const commissionMode = z.enum(['on_top', 'included']);
export const commissionRuleSchema = z.union([
  feeRuleSchema.and(z.object({ mode: commissionMode })),
  z.object({
    kind: z.literal('tiered'),
    mode: commissionMode,
    tiers: z
      .array(z.object({ fromKop: kop, fee: feeRuleSchema }))
      .min(1)
      .max(20),
  }),
]);

export const supplierRow = z.object({
  id: uuid,
  name: z.string().max(200),
  inn,
  kpp: z.string().max(9).nullable(),
  phone: z.string().max(20).nullable(),
  commission: commissionRuleSchema,
  agentType: z.enum(['paying_agent', 'paying_subagent']),
  active: z.boolean(),
  version,
});

export const serviceRow = z.object({
  code: serviceCode,
  name: z.string().max(200),
  supplierId: uuid,
  unit: z.string().max(20).nullable(),
  active: z.boolean(),
  version,
});

export const accountRow = z.object({
  number: accountNumber,
  els: z.string().max(10).nullable(),
  city: z.string().max(100).nullable(),
  street: z.string().max(200).nullable(),
  house: z.string().max(20).nullable(),
  building: z.string().max(20).nullable(),
  flat: z.string().max(20).nullable(),
  ownerName: z.string().max(200).nullable(),
  status: z.enum(['active', 'closed']),
  version,
});

export const chargeRow = z.object({
  accountNumber,
  serviceCode,
  period,
  dueKop: z.number().int(),
  penaltyKop: kop,
  /** Paid at the points since the billing's figures were loaded. */
  paidKop: z.number().int(),
  paidPenaltyKop: z.number().int(),
  /** The line's regular monthly charge, used to spread an advance. */
  chargeKop: kop.nullable(),
  /** The charge's own supplier, when not the service's (one service managed by different УК per house). */
  supplierId: uuid.nullable().optional(),
  version,
});

export const meterRow = z.object({
  id: uuid,
  accountNumber,
  serviceCode,
  serial: z.string().max(40),
  digits: z.number().int().min(1).max(12),
  fractionDigits: z.number().int().min(0).max(3),
  verificationDue: isoDate.nullable(),
  jumpThreshold: z.number().int().min(1).nullable(),
  lastValue: z.string().nullable(),
  lastDate: isoDate.nullable(),
  active: z.boolean(),
  version,
});

export const providerRow = z.object({
  code: serviceCode,
  name: z.string().max(200),
  category: z.string().max(64),
  inn,
  kpp: z.string().max(9).nullable(),
  phone: z.string().max(20).nullable(),
  accountLabel: z.string().max(64),
  accountMask: z.string().max(200),
  accountExample: z.string().max(64),
  /** How the typed account is normalised before the mask: "phone" strips +7/8 and formatting. */
  normalize: z.enum(['none', 'digits', 'phone']),
  minKop: kop.nullable(),
  maxKop: kop.nullable(),
  commission: commissionRuleSchema,
  agentType: z.enum(['paying_agent', 'paying_subagent']),
  checkRequired: z.boolean(),
  offlineAllowed: z.boolean(),
  canCancel: z.boolean(),
  active: z.boolean(),
  version,
});

export const priceItemRow = z.object({
  code: serviceCode,
  name: z.string().max(128),
  priceKop: kop,
  unit: z.string().max(20),
  vat: z.enum(['none', 'vat0', 'vat5', 'vat7', 'vat10', 'vat20', 'vat22']),
  active: z.boolean(),
  version,
});

export const userRow = z.object({
  id: uuid,
  login: z.string().max(64),
  name: z.string().max(200),
  role,
  inn: z.string().max(12).nullable(),
  /** argon2id; lets a cashier sign in at the desk while it is offline. Empty for a tombstone: a user who left this point. */
  passwordHash: z.string().max(200),
  active: z.boolean(),
  version,
});

export const settingRow = z.object({
  key: z.string().max(64),
  value: z.unknown(),
  version,
});

/**
 * A third-party payment on its way to the provider: queued; held (taken out of forwarding for a cash
 * refund at the desk, before any request left); sent (a request left: only the provider's answer
 * decides now); confirmed (credited); failed (the provider refused); cancelled (refunded, never sent).
 */
export const FORWARDING_STATES = ['queued', 'held', 'sent', 'confirmed', 'failed', 'cancelled'] as const;
export type ForwardingState = (typeof FORWARDING_STATES)[number];

export const forwardingRow = z.object({
  opId: uuid,
  state: z.enum(FORWARDING_STATES),
  prvTxn: z.string().max(64).nullable(),
  code: z.number().int().nullable(),
  comment: z.string().max(500).nullable(),
  updatedAt: isoDateTime,
  version,
});

export const REFERENCE_KINDS = [
  'suppliers',
  'services',
  'accounts',
  'charges',
  'meters',
  'providers',
  'priceItems',
  'users',
  'settings',
  'forwarding',
] as const;
export type ReferenceKind = (typeof REFERENCE_KINDS)[number];

export const referenceRows = {
  suppliers: supplierRow,
  services: serviceRow,
  accounts: accountRow,
  charges: chargeRow,
  meters: meterRow,
  providers: providerRow,
  priceItems: priceItemRow,
  users: userRow,
  settings: settingRow,
  forwarding: forwardingRow,
} as const satisfies Record<ReferenceKind, z.ZodType>;

export type SupplierRow = z.infer<typeof supplierRow>;
export type ServiceRow = z.infer<typeof serviceRow>;
export type AccountRow = z.infer<typeof accountRow>;
export type ChargeRow = z.infer<typeof chargeRow>;
export type MeterRow = z.infer<typeof meterRow>;
export type ProviderRow = z.infer<typeof providerRow>;
export type PriceItemRow = z.infer<typeof priceItemRow>;
export type UserRow = z.infer<typeof userRow>;
export type SettingRow = z.infer<typeof settingRow>;
export type ForwardingRow = z.infer<typeof forwardingRow>;
