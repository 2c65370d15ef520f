/**
 * From what the cashier asked to what the register will print: the payment's lines (set by hand or
 * allocated across the debts), each supplier's commission, limits, the change, and the agent
 * receipt — all checked before the journal or the register sees anything.
 */
import {
  allocateTotal,
  billingCommission,
  checkLimits,
  composeBillingReceipt,
  composeServiceReceipt,
  composeThirdPartyReceipt,
  computeCommission,
  describeCommission,
  formatRub,
  normalizeCustomerContact,
  normalizeProviderAccount,
  splitProportionally,
  validateReceipt,
  type AgentProfile,
  type CommissionRule,
  type Receipt,
  type ReceiptContext,
  type VatRate,
} from '@paydesk/domain';
import {
  AppError,
  type BillingPaymentRequest,
  type ProviderRow,
  type ServicePaymentRequest,
  type ThirdPartyPaymentRequest,
} from '@paydesk/protocol';
import type { JournalDb } from '../../db/journal-db.ts';
import type { DeskSettings } from '../../desk-settings.ts';
import type { AccountStore } from '../accounts/account-store.ts';
import { providerOf } from '../providers/provider-store.ts';

export interface Cashier {
  id: string;
  login: string;
  name: string;
  role: 'cashier' | 'senior_cashier' | 'admin';
  inn: string | null;
}

export interface BillingLine {
  serviceCode: string;
  period: string;
  amountKop: number;
  penaltyKop: number;
  commissionKop: number;
  /** Whose money the line is (the charge's supplier, else the service's). */
  supplierId: string;
}

export interface ProviderCheck {
  result: number;
  comment?: string;
  subscriberName?: string;
  balanceKop?: number;
}

export interface PreparedPayment {
  kind: 'billing' | 'thirdparty' | 'service';
  method: 'cash' | 'card';
  tenderedKop: number | null;
  totalKop: number;
  commissionKop: number;
  changeKop: number;
  accountNumber?: string;
  lines?: BillingLine[];
  providerCode?: string;
  account?: string;
  amountKop?: number;
  check?: ProviderCheck;
  checkSkippedOffline?: boolean;
  items?: { code: string; name: string; quantity: number; priceKop: number; amountKop: number }[];
  /** Tag 1008, normalised: the ОФД sends the payer an electronic copy there. */
  customerContact?: string;
  /** The payer asked for the electronic receipt only: none printed. */
  paperless?: boolean;
  /** A standalone terminal's approval, typed from its slip. */
  cardApproval?: { code: string; rrn?: string | undefined };
  warnings: string[];
}

export interface PrepareContext {
  db: JournalDb;
  settings: DeskSettings;
  accounts: AccountStore;
  cashier: Cashier;
}

export function agentProfile(settings: DeskSettings, agentType: 'paying_agent' | 'paying_subagent'): AgentProfile {
  return {
    type: agentType,
    operation: 'Прием платежа',
    agentPhone: settings.get('agentPhone') ?? '',
    operatorPhone: settings.get('operatorPhone') ?? settings.get('agentPhone') ?? '',
  };
}

/** The payer's phone or e-mail, normalised; a typo is refused before the register is asked. */
export function customerContactOf(input: string | undefined): string | undefined {
  if (input === undefined || input.trim() === '') return undefined;
  const c = normalizeCustomerContact(input);
  if (!c.ok) throw new AppError('validation.failed', `Чек на телефон или e-mail: ${c.message}`, { field: 'customerContact' });
  return c.value;
}

export function receiptContext(ctx: PrepareContext, opId: string, method: 'cash' | 'card', contact?: string): ReceiptContext {
  const r: ReceiptContext = {
    operationId: opId,
    taxSystem: ctx.settings.get('taxSystem'),
    cashier: ctx.cashier.inn ? { name: ctx.cashier.name, inn: ctx.cashier.inn } : { name: ctx.cashier.name },
    method,
  };
  const address = ctx.settings.get('settlementAddress');
  const place = ctx.settings.get('settlementPlace');
  if (address) r.settlementAddress = address;
  if (place) r.settlementPlace = place;
  if (contact) r.customerContact = contact;
  return r;
}

function tender(
  method: 'cash' | 'card',
  tenderedKop: number | undefined,
  totalKop: number,
): { tenderedKop: number | null; changeKop: number } {
  if (method === 'card' || tenderedKop === undefined) return { tenderedKop: null, changeKop: 0 };
  if (tenderedKop < totalKop) {
    throw new AppError(
      'payment.tender_insufficient',
      `Получено ${formatRub(tenderedKop)}, а к оплате ${formatRub(totalKop)}: не хватает ${formatRub(totalKop - tenderedKop)}`,
    );
  }
  return { tenderedKop, changeKop: tenderedKop - totalKop };
}

function checkedReceipt(receipt: Receipt): Receipt {
  const problems = validateReceipt(receipt);
  if (problems.length > 0) {
    throw new AppError(
      'payment.invalid',
      `Чек не может быть пробит: ${problems.map((p) => p.message).join('; ')}. Проверьте настройки агента и данные поставщика.`,
      { problems },
    );
  }
  return receipt;
}

interface SupplierRow {
  id: string;
  name: string;
  inn: string;
  phone: string | null;
  commission: string;
  agent_type: 'paying_agent' | 'paying_subagent';
}

/** A billing payment's commission as the cashier is shown it before taking the money, supplier by supplier. */
export interface CommissionBreakdown {
  /** What the payer gives towards the suppliers (before any fee on top). */
  amountKop: number;
  suppliers: {
    supplierId: string;
    name: string;
    rule: string;
    mode: 'on_top' | 'included';
    baseKop: number;
    commissionKop: number;
    principalKop: number;
    feeExceedsBase: boolean;
  }[];
  warnings: string[];
}

export function prepareBilling(
  ctx: PrepareContext,
  opId: string,
  req: BillingPaymentRequest,
): { prepared: PreparedPayment; receipt: Receipt; commission: CommissionBreakdown } {
  const account = ctx.accounts.details(req.accountNumber);
  if (!account)
    throw new AppError(
      'payment.account_not_found',
      `Лицевой счёт ${req.accountNumber} не найден. Проверьте номер или дождитесь загрузки справочников.`,
    );
  if (account.status === 'closed')
    throw new AppError('payment.account_closed', `Лицевой счёт ${req.accountNumber} закрыт в биллинге: приём платежей по нему прекращён.`);
  const services = new Map(account.debts.map((d) => [d.serviceCode, d]));
  const serviceRows = ctx.db.prepare(
    'SELECT s.code, s.name, p.id AS supplier_id FROM services s JOIN suppliers p ON p.id = s.supplier_id WHERE s.code = ?',
  );

  let lines: { serviceCode: string; period: string; amountKop: number; penaltyKop: number }[];
  if (req.lines) {
    const seen = new Set<string>();
    for (const l of req.lines) {
      const key = `${l.serviceCode}:${l.period}`;
      if (seen.has(key)) throw new AppError('payment.invalid', `Услуга ${l.serviceCode} за ${l.period} указана дважды`);
      seen.add(key);
      if (!services.has(l.serviceCode) && !serviceRows.get(l.serviceCode))
        throw new AppError('payment.invalid', `Услуги ${l.serviceCode} нет в справочнике`);
    }
    lines = req.lines.filter((l) => l.amountKop + l.penaltyKop > 0);
  } else {
    if (account.debts.length === 0) throw new AppError('payment.invalid', 'По этому счёту нет начислений: укажите услугу и сумму вручную');
    const amount = req.amountKop as number;
    if (req.penaltyKop === undefined) {
      // The domain's rule: debts first, then penalties, then an advance.
      const parts = allocateTotal(
        amount,
        account.debts.map((d) => ({
          key: `${d.serviceCode}:${d.period}`,
          debtKop: d.debtKop,
          penaltyKop: d.penaltyDebtKop,
          chargeKop: d.chargeKop ?? 0,
        })),
      );
      lines = account.debts.map((d, i) => ({
        serviceCode: d.serviceCode,
        period: d.period,
        amountKop: parts[i]?.amountKop ?? 0,
        penaltyKop: parts[i]?.penaltyKop ?? 0,
      }));
    } else {
      // The payer names the penalty to pay: it is spread over the penalties, the rest over the debts.
      const penaltyTotal = account.debts.reduce((s, d) => s + d.penaltyDebtKop, 0);
      const penalty = req.penaltyKop;
      if (penalty > penaltyTotal)
        throw new AppError('payment.invalid', `Пени к оплате ${formatRub(penalty)} больше долга по пени ${formatRub(penaltyTotal)}`);
      if (penalty > amount) throw new AppError('payment.invalid', 'Пени к оплате больше всей суммы платежа');
      const principal = allocateTotal(
        amount - penalty,
        account.debts.map((d) => ({ key: `${d.serviceCode}:${d.period}`, debtKop: d.debtKop, chargeKop: d.chargeKop ?? 0 })),
      );
      const penalties =
        penalty > 0
          ? splitProportionally(
              penalty,
              account.debts.map((d) => d.penaltyDebtKop),
            )
          : account.debts.map(() => 0);
      lines = account.debts.map((d, i) => ({
        serviceCode: d.serviceCode,
        period: d.period,
        amountKop: principal[i]?.amountKop ?? 0,
        penaltyKop: penalties[i] ?? 0,
      }));
    }
    lines = lines.filter((l) => l.amountKop + l.penaltyKop > 0);
  }
  if (lines.length === 0) throw new AppError('payment.invalid', 'Сумма платежа равна нулю');

  // Each supplier's rule applies once per payment to what the payer gives that supplier (domain billingCommission).
  // Whose money a line is: the charge's own supplier when it names one (one service, many УК), else the service's.
  const supplierQuery = ctx.db.prepare(
    `SELECT p.id, p.name, p.inn, p.phone, p.commission, p.agent_type FROM services s
     JOIN suppliers p ON p.id = COALESCE((SELECT c.supplier_id FROM charges c WHERE c.account_number = ? AND c.service_code = s.code AND c.period = ?), s.supplier_id)
     WHERE s.code = ?`,
  );
  const supplierOf = (code: string, period: string): SupplierRow => {
    const row = supplierQuery.get(account.number, period, code) as SupplierRow | undefined;
    if (!row) throw new AppError('payment.invalid', `У услуги ${code} нет поставщика в справочнике`);
    return row;
  };
  const bySupplier = new Map<string, SupplierRow>();
  const owed = lines.map((l) => {
    const supplier = supplierOf(l.serviceCode, l.period);
    bySupplier.set(supplier.id, supplier);
    return { supplier: supplier.id, amountKop: l.amountKop, penaltyKop: l.penaltyKop };
  });
  const supplier = (id: string): SupplierRow => bySupplier.get(id) as SupplierRow;
  const ruleOf = (id: string): CommissionRule => JSON.parse(supplier(id).commission) as CommissionRule;
  const c = billingCommission(owed, ruleOf);
  if (!c.ok) {
    const s = supplier(c.supplier);
    throw new AppError(
      'payment.limit',
      `${s.name}: комиссия ${formatRub(c.commissionKop)} входит в сумму, а по этому поставщику вносится ${formatRub(c.baseKop)} — ему ничего не останется. Внесите по его услугам больше ${formatRub(c.commissionKop)} или не оплачивайте их сейчас.`,
      { supplierId: s.id, baseKop: c.baseKop, commissionKop: c.commissionKop },
    );
  }
  const final: BillingLine[] = lines.map((l, i) => ({
    ...l,
    ...(c.lines[i] as { amountKop: number; penaltyKop: number; commissionKop: number }),
    supplierId: owed[i]?.supplier as string,
  }));
  for (const part of c.suppliers) {
    const s = supplier(part.supplier);
    const limit = checkLimits({
      amountKop: part.principalKop,
      agentType: s.agent_type,
      subagentCapKop: ctx.settings.get('subagentCapKop'),
    });
    if (!limit.ok) throw new AppError('payment.limit', `${s.name}: ${limit.message}`);
  }
  const commission: CommissionBreakdown = {
    amountKop: c.suppliers.reduce((t, x) => t + x.baseKop, 0),
    suppliers: c.suppliers.map((x) => ({
      supplierId: x.supplier,
      name: supplier(x.supplier).name,
      rule: describeCommission(ruleOf(x.supplier), (k) => formatRub(k)),
      mode: x.mode,
      baseKop: x.baseKop,
      commissionKop: x.commissionKop,
      principalKop: x.principalKop,
      feeExceedsBase: x.feeExceedsBase,
    })),
    // A fixed fee or a minimum on a small share: the payer may rather leave that service for later.
    warnings: c.suppliers
      .filter((x) => x.feeExceedsBase)
      .map(
        (x) =>
          `«${supplier(x.supplier).name}»: комиссия ${formatRub(x.commissionKop)} больше суммы ${formatRub(x.baseKop)}, которая ему идёт (${describeCommission(ruleOf(x.supplier), (k) => formatRub(k))}). Спросите плательщика: можно не платить эту услугу сейчас или внести по ней больше.`,
      ),
  };
  const commissionKop = final.reduce((s, l) => s + l.commissionKop, 0);
  const totalKop = final.reduce((s, l) => s + l.amountKop + l.penaltyKop + l.commissionKop, 0);
  const { tenderedKop, changeKop } = tender(req.method, req.tenderedKop, totalKop);

  const serviceName = (code: string): string =>
    services.get(code)?.serviceName ?? (serviceRows.get(code) as { name: string } | undefined)?.name ?? code;
  const receiptLines = final.flatMap((l) => {
    const s = supplier(l.supplierId);
    const supplierData = s.phone ? { name: s.name, inn: s.inn, phone: s.phone } : { name: s.name, inn: s.inn };
    const out = [];
    if (l.amountKop > 0)
      out.push({ serviceName: serviceName(l.serviceCode), period: l.period, amountKop: l.amountKop, supplier: supplierData });
    if (l.penaltyKop > 0)
      out.push({
        serviceName: serviceName(l.serviceCode),
        period: l.period,
        amountKop: l.penaltyKop,
        penalty: true,
        supplier: supplierData,
      });
    return out;
  });
  const agentType = [...bySupplier.values()].some((x) => x.agent_type === 'paying_subagent') ? 'paying_subagent' : 'paying_agent';
  const receipt = composeBillingReceipt(
    receiptContext(ctx, opId, req.method, customerContactOf(req.customerContact)),
    agentProfile(ctx.settings, agentType),
    {
      accountNumber: account.number,
      address: account.address,
      lines: receiptLines,
      commissionKop,
    },
  );
  if (tenderedKop !== null) receipt.cashTenderedKop = tenderedKop;
  return {
    prepared: {
      ...(receipt.customerContact ? { customerContact: receipt.customerContact } : {}),
      kind: 'billing',
      method: req.method,
      tenderedKop,
      totalKop,
      commissionKop,
      changeKop,
      accountNumber: account.number,
      lines: final,
      warnings: [],
    },
    receipt: checkedReceipt(receipt),
    commission,
  };
}

export interface ThirdPartyQuote {
  provider: ProviderRow;
  account: string;
  principalKop: number;
  commissionKop: number;
  totalKop: number;
}

/** The commission and total a payment to a provider would have; the UI shows it before accepting. */
export function quoteThirdParty(
  ctx: Pick<PrepareContext, 'db' | 'settings'>,
  req: { providerCode: string; account: string; amountKop: number },
): ThirdPartyQuote {
  const provider = providerOf(ctx.db, req.providerCode);
  if (!provider || !provider.active) throw new AppError('not_found', `Поставщик ${req.providerCode} не найден или отключён`);
  const account = normalizeProviderAccount(provider.normalize, req.account);
  let mask: RegExp;
  try {
    mask = new RegExp(provider.accountMask);
  } catch {
    throw new AppError('payment.invalid', `Маска счёта поставщика ${provider.name} неверна: сообщите администратору`);
  }
  if (!mask.test(account))
    throw new AppError(
      'payment.invalid',
      `${provider.accountLabel} «${req.account}» не подходит для ${provider.name}. Пример: ${provider.accountExample}`,
    );
  const rule = provider.commission as CommissionRule;
  const c = computeCommission(rule, req.amountKop);
  if (rule.mode === 'included' && c.principalKop === 0) {
    // The fee included in the sum would take all of it: the provider would get nothing.
    throw new AppError(
      'payment.limit',
      `${provider.name}: комиссия входит в сумму, а сумма ${formatRub(req.amountKop)} не больше комиссии (${describeCommission(rule, (k) => formatRub(k))}) — поставщику ничего не останется. Внесите больше.`,
    );
  }
  const limit = checkLimits({
    amountKop: c.principalKop,
    agentType: provider.agentType,
    subagentCapKop: ctx.settings.get('subagentCapKop'),
    ...(provider.minKop !== null ? { minKop: provider.minKop } : {}),
    ...(provider.maxKop !== null ? { maxKop: provider.maxKop } : {}),
  });
  if (!limit.ok) throw new AppError('payment.limit', limit.message);
  return { provider, account, principalKop: c.principalKop, commissionKop: c.commissionKop, totalKop: c.totalKop };
}

export function prepareThirdParty(
  ctx: PrepareContext,
  opId: string,
  req: ThirdPartyPaymentRequest,
  check: { check?: ProviderCheck; skippedOffline?: boolean },
): { prepared: PreparedPayment; receipt: Receipt } {
  const q = quoteThirdParty(ctx, req);
  const { tenderedKop, changeKop } = tender(req.method, req.tenderedKop, q.totalKop);
  const supplier = q.provider.phone
    ? { name: q.provider.name, inn: q.provider.inn, phone: q.provider.phone }
    : { name: q.provider.name, inn: q.provider.inn };
  const receipt = composeThirdPartyReceipt(
    receiptContext(ctx, opId, req.method, customerContactOf(req.customerContact)),
    agentProfile(ctx.settings, q.provider.agentType),
    {
      providerName: q.provider.name,
      accountLabel: q.provider.accountLabel,
      account: q.account,
      principalKop: q.principalKop,
      commissionKop: q.commissionKop,
      supplier,
    },
  );
  if (tenderedKop !== null) receipt.cashTenderedKop = tenderedKop;
  const warnings = check.skippedOffline
    ? [`Нет связи с сервером: номер у «${q.provider.name}» не проверен. Платёж будет передан, когда связь вернётся.`]
    : [];
  return {
    prepared: {
      ...(receipt.customerContact ? { customerContact: receipt.customerContact } : {}),
      kind: 'thirdparty',
      method: req.method,
      tenderedKop,
      totalKop: q.totalKop,
      commissionKop: q.commissionKop,
      changeKop,
      providerCode: q.provider.code,
      account: q.account,
      amountKop: q.principalKop,
      ...(check.check ? { check: check.check } : {}),
      ...(check.skippedOffline ? { checkSkippedOffline: true } : {}),
      warnings,
    },
    receipt: checkedReceipt(receipt),
  };
}

export function prepareService(
  ctx: PrepareContext,
  opId: string,
  req: ServicePaymentRequest,
): { prepared: PreparedPayment; receipt: Receipt } {
  const items = req.items.map((i) => {
    const p = ctx.db.prepare('SELECT code, name, price_kop, vat, active FROM price_items WHERE code = ?').get(i.code) as
      { code: string; name: string; price_kop: number; vat: VatRate; active: number } | undefined;
    if (!p || !p.active) throw new AppError('payment.invalid', `Услуги ${i.code} нет в прейскуранте`);
    return { code: p.code, name: p.name, quantity: i.quantity, priceKop: p.price_kop, amountKop: p.price_kop * i.quantity, vat: p.vat };
  });
  const totalKop = items.reduce((s, i) => s + i.amountKop, 0);
  if (totalKop <= 0) throw new AppError('payment.invalid', 'Сумма равна нулю');
  const { tenderedKop, changeKop } = tender(req.method, req.tenderedKop, totalKop);
  const receipt = composeServiceReceipt(
    receiptContext(ctx, opId, req.method, customerContactOf(req.customerContact)),
    items.map((i) => ({ name: i.name, priceKop: i.priceKop, quantity: i.quantity, vat: i.vat })),
  );
  if (tenderedKop !== null) receipt.cashTenderedKop = tenderedKop;
  return {
    prepared: {
      ...(receipt.customerContact ? { customerContact: receipt.customerContact } : {}),
      kind: 'service',
      method: req.method,
      tenderedKop,
      totalKop,
      commissionKop: 0,
      changeKop,
      items: items.map(({ vat: _vat, ...rest }) => rest),
      warnings: [],
    },
    receipt: checkedReceipt(receipt),
  };
}
