/** The catalogs of the back office, each declared once: fields, checks, who may read and write. */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { isValidInn, validateCommissionRule, type CommissionRule } from '@paydesk/domain';
import { AppError, commissionRuleSchema } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';
import { ADMIN, READ } from '../../http/auth.ts';
import { patchSchema, type ResourceDef } from './resource.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const optText = (max: number) => z.string().trim().max(max).nullable().optional();
const inn = z
  .string()
  .regex(/^(\d{10}|\d{12})$/, 'ИНН: 10 или 12 цифр')
  .refine(isValidInn, 'неверные контрольные цифры ИНН');
const code = z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'код: латиница, цифры, _ . - (до 32)');
const kop = z.number().int().min(0).max(1_000_000_000_000);
const phone = z
  .string()
  .regex(/^\+\d{11,15}$/, 'телефон в формате +7…')
  .nullable()
  .optional();
const commission = commissionRuleSchema.refine((r) => validateCommissionRule(r as CommissionRule) === null, 'правило комиссии неверно');

/** camelCase API fields to snake_case columns, skipping absent ones (so PATCH changes only what it names; see patchSchema). */
function mapper(pairs: [string, string][]): {
  toDb(i: Record<string, unknown>): Record<string, unknown>;
  fromDb(r: Record<string, unknown>): Record<string, unknown>;
} {
  return {
    toDb(input) {
      const out: Record<string, unknown> = {};
      for (const [api, col] of pairs) {
        const v = input[api];
        if (v === undefined) continue;
        out[col] = v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
      }
      return out;
    },
    fromDb(row) {
      const out: Record<string, unknown> = {};
      for (const [api, col] of pairs) if (col in row) out[api] = row[col];
      if ('version' in row) out['version'] = String(row['version']);
      return out;
    },
  };
}

async function mustExist(
  db: Database,
  table: 'suppliers' | 'services' | 'accounts',
  column: string,
  value: unknown,
  what: string,
): Promise<void> {
  if (value === undefined) return;
  const row = await (db as unknown as Kysely<Record<string, Record<string, unknown>>>)
    .selectFrom(table)
    .select(column)
    .where(column, '=', value)
    .executeTakeFirst();
  if (!row) throw new AppError('validation.failed', `${what} «${typeof value === 'string' ? value : JSON.stringify(value)}» не найден`);
}

const pointFields = z.object({ code, name: text(200), address: z.string().trim().max(300).default(''), active: z.boolean().default(true) });
export const points: ResourceDef = {
  path: 'points',
  table: 'points',
  key: 'id',
  uuidKey: true,
  versioned: false,
  tag: 'Пункты приёма',
  title: 'Пункт',
  create: pointFields,
  update: patchSchema(pointFields),
  ...mapper([
    ['id', 'id'],
    ['code', 'code'],
    ['name', 'name'],
    ['address', 'address'],
    ['active', 'active'],
  ]),
  search: ['code', 'name', 'address'],
  orderBy: 'code',
  read: READ,
  write: ADMIN,
};

const supplierFields = z.object({
  name: text(200),
  inn,
  kpp: z
    .string()
    .regex(/^\d{4}[\dA-Z]{2}\d{3}$/, 'КПП: 9 знаков')
    .nullable()
    .optional(),
  phone,
  bankName: optText(200),
  bic: z
    .string()
    .regex(/^\d{9}$/, 'БИК: 9 цифр')
    .nullable()
    .optional(),
  account: z
    .string()
    .regex(/^\d{20}$/, 'счёт: 20 цифр')
    .nullable()
    .optional(),
  corrAccount: z
    .string()
    .regex(/^\d{20}$/, 'корр. счёт: 20 цифр')
    .nullable()
    .optional(),
  commission: commission.default({ kind: 'none', mode: 'on_top' }),
  agentType: z.enum(['paying_agent', 'paying_subagent']).default('paying_agent'),
  active: z.boolean().default(true),
});
export const suppliers: ResourceDef = {
  path: 'suppliers',
  table: 'suppliers',
  key: 'id',
  uuidKey: true,
  versioned: true,
  tag: 'Поставщики',
  title: 'Поставщик',
  create: supplierFields,
  update: patchSchema(supplierFields),
  ...mapper([
    ['id', 'id'],
    ['name', 'name'],
    ['inn', 'inn'],
    ['kpp', 'kpp'],
    ['phone', 'phone'],
    ['bankName', 'bank_name'],
    ['bic', 'bic'],
    ['account', 'account'],
    ['corrAccount', 'corr_account'],
    ['commission', 'commission'],
    ['agentType', 'agent_type'],
    ['active', 'active'],
  ]),
  search: ['inn', 'name'],
  orderBy: 'name',
  read: READ,
  write: ADMIN,
};

const serviceFields = z.object({ code, name: text(200), supplierId: z.uuid(), unit: optText(20), active: z.boolean().default(true) });
export const services: ResourceDef = {
  path: 'services',
  table: 'services',
  key: 'code',
  uuidKey: false,
  versioned: true,
  tag: 'Услуги',
  title: 'Услуга',
  create: serviceFields,
  update: patchSchema(serviceFields, ['code']),
  ...mapper([
    ['code', 'code'],
    ['name', 'name'],
    ['supplierId', 'supplier_id'],
    ['unit', 'unit'],
    ['active', 'active'],
  ]),
  search: ['code', 'name'],
  orderBy: 'code',
  read: READ,
  write: ADMIN,
  check: (db, i) => mustExist(db, 'suppliers', 'id', i['supplierId'], 'Поставщик'),
};

const accountFields = z.object({
  number: text(30),
  els: z
    .string()
    .regex(/^\d{2}[А-ЯЁ]{2}\d{6}$/u, 'ЕЛС: 2 цифры, 2 буквы, 6 цифр')
    .nullable()
    .optional(),
  city: optText(100),
  street: optText(200),
  house: optText(20),
  building: optText(20),
  flat: optText(20),
  ownerName: optText(200),
  status: z.enum(['active', 'closed']).default('active'),
});
export const accounts: ResourceDef = {
  path: 'accounts',
  table: 'accounts',
  key: 'number',
  uuidKey: false,
  versioned: true,
  tag: 'Лицевые счета',
  title: 'Лицевой счёт',
  create: accountFields,
  update: patchSchema(accountFields, ['number']),
  ...mapper([
    ['number', 'number'],
    ['els', 'els'],
    ['city', 'city'],
    ['street', 'street'],
    ['house', 'house'],
    ['building', 'building'],
    ['flat', 'flat'],
    ['ownerName', 'owner_name'],
    ['status', 'status'],
  ]),
  search: ['number', 'street', 'owner_name', 'els'],
  orderBy: 'number',
  read: READ,
  write: ADMIN,
};

const meterFields = z.object({
  accountNumber: text(30),
  serviceCode: code,
  serial: text(40),
  digits: z.number().int().min(1).max(12),
  fractionDigits: z.number().int().min(0).max(3).default(3),
  verificationDue: z.iso.date().nullable().optional(),
  jumpThreshold: z.number().int().min(1).nullable().optional(),
  active: z.boolean().default(true),
});
export const meters: ResourceDef = {
  path: 'meters',
  table: 'meters',
  key: 'id',
  uuidKey: true,
  versioned: true,
  tag: 'Приборы учёта',
  title: 'Счётчик',
  create: meterFields,
  update: patchSchema(meterFields, ['accountNumber']),
  ...mapper([
    ['id', 'id'],
    ['accountNumber', 'account_number'],
    ['serviceCode', 'service_code'],
    ['serial', 'serial'],
    ['digits', 'digits'],
    ['fractionDigits', 'fraction_digits'],
    ['verificationDue', 'verification_due'],
    ['jumpThreshold', 'jump_threshold'],
    ['lastValueMilli', 'last_value_milli'],
    ['lastDate', 'last_date'],
    ['active', 'active'],
  ]),
  search: ['account_number', 'serial'],
  orderBy: 'account_number',
  read: READ,
  write: ADMIN,
  check: async (db, i) => {
    await mustExist(db, 'accounts', 'number', i['accountNumber'], 'Лицевой счёт');
    await mustExist(db, 'services', 'code', i['serviceCode'], 'Услуга');
  },
};

const providerFields = z.object({
  code,
  name: text(200),
  category: text(64),
  inn,
  kpp: z
    .string()
    .regex(/^\d{4}[\dA-Z]{2}\d{3}$/)
    .nullable()
    .optional(),
  phone,
  accountLabel: text(64),
  accountMask: text(200).refine((m) => {
    try {
      new RegExp(m);
      return true;
    } catch {
      return false;
    }
  }, 'маска счёта — регулярное выражение'),
  accountExample: text(64),
  normalize: z.enum(['none', 'digits', 'phone']).default('none'),
  minKop: kop.nullable().optional(),
  maxKop: kop.nullable().optional(),
  commission: commission.default({ kind: 'none', mode: 'on_top' }),
  agentType: z.enum(['paying_agent', 'paying_subagent']).default('paying_agent'),
  checkRequired: z.boolean().default(false),
  offlineAllowed: z.boolean().default(true),
  canCancel: z.boolean().default(false),
  channel: z.enum(['osmp', 'registry']).default('osmp'),
  osmpUrl: z.url().nullable().optional(),
  osmpUser: optText(100),
  osmpPassword: optText(200),
  timeoutMs: z.number().int().min(500).max(120_000).default(15_000),
  active: z.boolean().default(true),
});
const providerMap = mapper([
  ['code', 'code'],
  ['name', 'name'],
  ['category', 'category'],
  ['inn', 'inn'],
  ['kpp', 'kpp'],
  ['phone', 'phone'],
  ['accountLabel', 'account_label'],
  ['accountMask', 'account_mask'],
  ['accountExample', 'account_example'],
  ['normalize', 'normalize'],
  ['minKop', 'min_kop'],
  ['maxKop', 'max_kop'],
  ['commission', 'commission'],
  ['agentType', 'agent_type'],
  ['checkRequired', 'check_required'],
  ['offlineAllowed', 'offline_allowed'],
  ['canCancel', 'can_cancel'],
  ['channel', 'channel'],
  ['osmpUrl', 'osmp_url'],
  ['osmpUser', 'osmp_user'],
  ['osmpPassword', 'osmp_password'],
  ['timeoutMs', 'timeout_ms'],
  ['active', 'active'],
]);
export const providers: ResourceDef = {
  path: 'providers',
  table: 'providers',
  key: 'code',
  uuidKey: false,
  versioned: true,
  tag: 'Третьи лица',
  title: 'Поставщик (третьи лица)',
  create: providerFields,
  update: patchSchema(providerFields, ['code']),
  toDb: (input) => providerMap.toDb(input),
  // The provider's password is write-only: answers say whether one is set, never what it is.
  fromDb: (row) => {
    const out = providerMap.fromDb(row);
    out['osmpPassword'] = row['osmp_password'] ? '***' : null;
    return out;
  },
  // Integrators see what a payment to the provider looks like, not how and with what login we reach it.
  forIntegrator: ({ osmpUrl: _url, osmpUser: _user, osmpPassword: _password, ...rest }) => rest,
  search: ['code', 'name', 'category'],
  orderBy: 'code',
  read: READ,
  write: ADMIN,
  consistent: (p) =>
    typeof p['minKop'] === 'number' && typeof p['maxKop'] === 'number' && p['minKop'] > p['maxKop']
      ? 'минимальная сумма больше максимальной'
      : null,
};

const priceFields = z.object({
  code,
  name: text(128),
  priceKop: kop,
  unit: text(20).default('шт'),
  vat: z.enum(['none', 'vat0', 'vat5', 'vat7', 'vat10', 'vat20', 'vat22']).default('none'),
  active: z.boolean().default(true),
});
export const priceItems: ResourceDef = {
  path: 'price-items',
  table: 'price_items',
  key: 'code',
  uuidKey: false,
  versioned: true,
  tag: 'Прейскурант',
  title: 'Услуга прейскуранта',
  create: priceFields,
  update: patchSchema(priceFields, ['code']),
  ...mapper([
    ['code', 'code'],
    ['name', 'name'],
    ['priceKop', 'price_kop'],
    ['unit', 'unit'],
    ['vat', 'vat'],
    ['active', 'active'],
  ]),
  search: ['code', 'name'],
  orderBy: 'code',
  read: READ,
  write: ADMIN,
};

export const CATALOGS: ResourceDef[] = [points, suppliers, services, accounts, meters, providers, priceItems];
