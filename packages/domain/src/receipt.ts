/**
 * The fiscal receipt of a payment agent (54-ФЗ, ФФД 1.05/1.2), composed from the payment itself and
 * checked for what a register would refuse before any register sees it. Drivers translate this one
 * model to ATOL tasks, KKMServer commands or the virtual register.
 */
import { isReceiptSupplierInn } from './identifiers.ts';
import { formatPeriod, type Period } from './period.ts';
import { formatRub, sumKop, type Kop } from './money.ts';

export type TaxSystem = 'osn' | 'usn_income' | 'usn_income_outcome' | 'esn' | 'patent';
export type VatRate = 'none' | 'vat0' | 'vat5' | 'vat7' | 'vat10' | 'vat20' | 'vat22';
/** Tag 1212. `payment` = ПЛАТЁЖ (10), `agent_commission` = АГЕНТСКОЕ ВОЗНАГРАЖДЕНИЕ (11), `service` = УСЛУГА (4). */
export type PaymentObject = 'payment' | 'agent_commission' | 'service' | 'commodity';
/** Tag 1222/1057: платёжный агент (0x04) or платёжный субагент (0x08). */
export type AgentType = 'paying_agent' | 'paying_subagent';
export type ReceiptKind = 'sale' | 'sale_return';
export type PaymentMethod = 'cash' | 'card';

export const TAX_SYSTEMS: readonly TaxSystem[] = ['osn', 'usn_income', 'usn_income_outcome', 'esn', 'patent'];
export const VAT_RATES: readonly VatRate[] = ['none', 'vat0', 'vat5', 'vat7', 'vat10', 'vat20', 'vat22'];

export interface AgentData {
  type: AgentType;
  /** Tag 1044, «Прием платежа». */
  operation: string;
  /** Tag 1073, the payment agent's phone. */
  agentPhone: string;
  /** Tag 1074, the phone of the operator receiving payments. */
  operatorPhone: string;
}

export interface SupplierData {
  /** Tag 1225. */
  name: string;
  /** Tag 1226; `000000000000` for a supplier without a Russian ИНН. */
  inn: string;
  /** Tag 1171. */
  phone?: string;
}

export interface ReceiptItem {
  name: string;
  priceKop: Kop;
  /** Quantity with up to three decimals; 1 for payments. */
  quantity: number;
  amountKop: Kop;
  paymentObject: PaymentObject;
  /** Tag 1214: always full payment (4) at a payment acceptance point. */
  paymentMethod: 'full_payment';
  vat: VatRate;
  agent?: AgentData;
  supplier?: SupplierData;
}

export interface Receipt {
  /** The operation id: idempotency key at the register. */
  operationId: string;
  kind: ReceiptKind;
  taxSystem: TaxSystem;
  cashier: { name: string; inn?: string };
  items: ReceiptItem[];
  payments: { cashKop: Kop; cardKop: Kop };
  totalKop: Kop;
  /** Tag 1009. */
  settlementAddress?: string;
  /** Tag 1187. */
  settlementPlace?: string;
  /** Tag 1008, for an electronic copy. */
  customerContact?: string;
  /**
   * The payer asked for the electronic receipt only (where the point's setting allows it): the register
   * fiscalises and sends it through the ОФД without printing. Requires `customerContact`.
   */
  electronicOnly?: boolean;
  /** Tag 1192; on a return, the original's document number and fiscal sign. */
  additionalAttribute?: string;
  /** Non-fiscal lines printed before the items: the account, the payer's address. */
  headerLines?: string[];
  /** Cash handed over, for printing ПОЛУЧЕНО / СДАЧА; not a fiscal tag. */
  cashTenderedKop?: Kop;
  /**
   * A correction receipt (чек коррекции, ФФД 1.2): money taken or returned without a receipt, made
   * good afterwards. `kind` says which: a correction of income (`sale`) or of a return (`sale_return`).
   */
  correction?: ReceiptCorrection;
}

export interface ReceiptCorrection {
  /** Tag 1173: on the point's own initiative, or on the tax authority's instruction (предписание). */
  type: 'self' | 'instruction';
  /** Tag 1178: the date of the basis document (the cashier's note of the day, the instruction), YYYY-MM-DD. */
  baseDate: string;
  /** Tag 1179: the basis document's number; required on an instruction. */
  baseNumber: string;
}

/** The payment agent's own details, from the point's settings. */
export interface AgentProfile {
  type: AgentType;
  operation: string;
  agentPhone: string;
  operatorPhone: string;
  commissionItemName?: string;
}

export interface ReceiptContext {
  operationId: string;
  taxSystem: TaxSystem;
  cashier: { name: string; inn?: string };
  method: PaymentMethod;
  settlementAddress?: string;
  settlementPlace?: string;
  /** Tag 1008: the payer's phone or e-mail, normalised (normalizeCustomerContact). */
  customerContact?: string;
}

const NAME_MAX = 128;
const OPERATION_MAX = 24;

function clip(text: string, max = NAME_MAX): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function agentOf(profile: AgentProfile): AgentData {
  return { type: profile.type, operation: profile.operation, agentPhone: profile.agentPhone, operatorPhone: profile.operatorPhone };
}

function paymentItem(name: string, amountKop: Kop, agent: AgentData, supplier: SupplierData): ReceiptItem {
  return {
    name: clip(name),
    priceKop: amountKop,
    quantity: 1,
    amountKop,
    paymentObject: 'payment',
    paymentMethod: 'full_payment',
    vat: 'none',
    agent,
    supplier,
  };
}

function commissionItem(profile: AgentProfile, commissionKop: Kop): ReceiptItem {
  return {
    name: profile.commissionItemName ?? 'Вознаграждение платёжного агента',
    priceKop: commissionKop,
    quantity: 1,
    amountKop: commissionKop,
    paymentObject: 'agent_commission',
    paymentMethod: 'full_payment',
    vat: 'none',
  };
}

function finish(ctx: ReceiptContext, items: ReceiptItem[], headerLines: string[]): Receipt {
  const total = sumKop(items.map((i) => i.amountKop));
  const receipt: Receipt = {
    operationId: ctx.operationId,
    kind: 'sale',
    taxSystem: ctx.taxSystem,
    cashier: ctx.cashier,
    items,
    payments: ctx.method === 'cash' ? { cashKop: total, cardKop: 0 } : { cashKop: 0, cardKop: total },
    totalKop: total,
    headerLines,
  };
  if (ctx.settlementAddress) receipt.settlementAddress = ctx.settlementAddress;
  if (ctx.settlementPlace) receipt.settlementPlace = ctx.settlementPlace;
  if (ctx.customerContact) receipt.customerContact = ctx.customerContact;
  return receipt;
}

export interface BillingReceiptLine {
  serviceName: string;
  period: Period;
  amountKop: Kop;
  /** A penalty (пени) line of the service. */
  penalty?: boolean;
  supplier: SupplierData;
}

/**
 * Periods as a receipt line names them: «10.2026», «09.2026, 11.2026», a run of months as
 * «01.2025–11.2026».
 */
export function periodsText(periods: readonly Period[]): string {
  const sorted = [...new Set(periods)].sort();
  const monthIndex = (p: Period): number => Number(p.slice(0, 4)) * 12 + Number(p.slice(5, 7));
  const runs: Period[][] = [];
  for (const p of sorted) {
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (run && last && monthIndex(p) === monthIndex(last) + 1) run.push(p);
    else runs.push([p]);
  }
  return runs
    .map((r) => (r.length > 2 ? `${formatPeriod(r[0] as Period)}–${formatPeriod(r.at(-1) as Period)}` : r.map(formatPeriod).join(', ')))
    .join(', ');
}

/**
 * A ЖКУ payment: one ПЛАТЁЖ per supplier — its services and periods in the item's name, its penalty
 * said there too — and the commission as the agent's own item. ФФД asks the supplier's data per item,
 * not an item per service and month: a line per service × month × penalty printed a 470-line tape for
 * one payment of an old debt.
 */
export function composeBillingReceipt(
  ctx: ReceiptContext,
  agent: AgentProfile,
  payment: { accountNumber: string; address?: string; lines: BillingReceiptLine[]; commissionKop: Kop },
): Receipt {
  const agentData = agentOf(agent);
  const bySupplier = new Map<string, { supplier: SupplierData; lines: BillingReceiptLine[] }>();
  for (const l of payment.lines) {
    if (l.amountKop <= 0) continue;
    const key = `${l.supplier.inn}\u0000${l.supplier.name}`;
    const group = bySupplier.get(key) ?? { supplier: l.supplier, lines: [] };
    group.lines.push(l);
    bySupplier.set(key, group);
  }
  const items = [...bySupplier.values()].map(({ supplier, lines }) => {
    const services = [...new Set(lines.map((l) => l.serviceName))].join(', ');
    const penaltyKop = sumKop(lines.filter((l) => l.penalty).map((l) => l.amountKop));
    // A plain space: a register's character table need not have the no-break one.
    const penalty = penaltyKop > 0 ? `, в т.ч. пени ${formatRub(penaltyKop).replace(/\u00a0/g, ' ')}` : '';
    return paymentItem(
      `Оплата ЖКУ, л/с ${payment.accountNumber}, за ${periodsText(lines.map((l) => l.period))}${penalty}: ${services}`,
      sumKop(lines.map((l) => l.amountKop)),
      agentData,
      supplier,
    );
  });
  if (payment.commissionKop > 0) items.push(commissionItem(agent, payment.commissionKop));
  const header = [`Лицевой счёт: ${payment.accountNumber}`];
  if (payment.address) header.push(`Адрес: ${payment.address}`);
  return finish(ctx, items, header);
}

/** A payment to a third party (mobile, intercom…): the provider is the supplier. */
export function composeThirdPartyReceipt(
  ctx: ReceiptContext,
  agent: AgentProfile,
  payment: { providerName: string; accountLabel: string; account: string; principalKop: Kop; commissionKop: Kop; supplier: SupplierData },
): Receipt {
  const items = [
    paymentItem(
      `Оплата: ${payment.providerName}, ${payment.accountLabel} ${payment.account}`,
      payment.principalKop,
      agentOf(agent),
      payment.supplier,
    ),
  ];
  if (payment.commissionKop > 0) items.push(commissionItem(agent, payment.commissionKop));
  return finish(ctx, items, [`${payment.accountLabel}: ${payment.account}`]);
}

/** The agent's own contract services from the price list: УСЛУГА, no agent data. */
export function composeServiceReceipt(
  ctx: ReceiptContext,
  lines: { name: string; priceKop: Kop; quantity: number; vat: VatRate }[],
): Receipt {
  const items = lines.map<ReceiptItem>((l) => ({
    name: clip(l.name),
    priceKop: l.priceKop,
    quantity: l.quantity,
    amountKop: itemAmount(l.priceKop, l.quantity),
    paymentObject: 'service',
    paymentMethod: 'full_payment',
    vat: l.vat,
  }));
  return finish(ctx, items, []);
}

/** price × quantity rounded half up to a kopeck; quantity has at most three decimals. */
export function itemAmount(priceKop: Kop, quantity: number): Kop {
  const qMilli = Math.round(quantity * 1000);
  return Number((BigInt(priceKop) * BigInt(qMilli) * 2n + 1000n) / 2000n);
}

/**
 * The return (возврат прихода, 1054 = 2) of an original receipt: the same items, agent and supplier
 * data, tax system and amounts; no tag links it to the original, so its document number and fiscal
 * sign go into the additional attribute (1192).
 */
export function composeReturnReceipt(
  original: Receipt,
  originalFiscal: { documentNumber: number; fiscalSign: string },
  operationId: string,
  cashier: { name: string; inn?: string },
  method?: PaymentMethod,
): Receipt {
  const payments =
    method === undefined
      ? { ...original.payments }
      : method === 'cash'
        ? { cashKop: original.totalKop, cardKop: 0 }
        : { cashKop: 0, cardKop: original.totalKop };
  return {
    ...original,
    operationId,
    kind: 'sale_return',
    cashier,
    items: original.items.map((i) => ({ ...i })),
    payments,
    additionalAttribute: `Возврат ФД ${originalFiscal.documentNumber} ФП ${originalFiscal.fiscalSign}`,
  };
}

/**
 * A correction receipt for money taken (or returned) without a receipt: one item — the payment to a
 * supplier as the agent (with the agent's and supplier's data) or the point's own service — and the
 * basis: the cashier's note or the tax authority's instruction, its date and number.
 */
export function composeCorrectionReceipt(
  ctx: ReceiptContext,
  c: {
    direction: 'income' | 'return';
    correction: ReceiptCorrection;
    description: string;
    amountKop: Kop;
    agent?: { profile: AgentProfile; supplier: SupplierData };
  },
): Receipt {
  const item: ReceiptItem = c.agent
    ? paymentItem(c.description, c.amountKop, agentOf(c.agent.profile), c.agent.supplier)
    : {
        name: clip(c.description),
        priceKop: c.amountKop,
        quantity: 1,
        amountKop: c.amountKop,
        paymentObject: 'service',
        paymentMethod: 'full_payment',
        vat: 'none',
      };
  const receipt = finish(ctx, [item], []);
  receipt.kind = c.direction === 'income' ? 'sale' : 'sale_return';
  receipt.correction = { ...c.correction, baseNumber: c.correction.baseNumber.trim() };
  return receipt;
}

export type ReceiptProblemCode =
  | 'receipt.contact_missing'
  | 'receipt.correction_invalid'
  | 'receipt.no_items'
  | 'receipt.bad_amount'
  | 'receipt.item_amount_mismatch'
  | 'receipt.name_invalid'
  | 'receipt.agent_without_supplier'
  | 'receipt.supplier_inn_invalid'
  | 'receipt.agent_data_invalid'
  | 'receipt.commission_with_supplier'
  | 'receipt.total_mismatch'
  | 'receipt.payments_mismatch';

export interface ReceiptProblem {
  code: ReceiptProblemCode;
  message: string;
  item?: number;
}

const PHONE = /^\+\d{11,15}$/;

/** Everything a register would refuse, found before the register is called. Empty when fine. */
export function validateReceipt(r: Receipt): ReceiptProblem[] {
  const problems: ReceiptProblem[] = [];
  const bad = (code: ReceiptProblemCode, message: string, item?: number): void => {
    problems.push(item === undefined ? { code, message } : { code, message, item });
  };
  if (r.items.length === 0) bad('receipt.no_items', 'В чеке нет ни одной позиции');
  if (r.electronicOnly && !r.customerContact)
    bad('receipt.contact_missing', 'Чек без печати: нужен телефон или e-mail покупателя, куда ОФД его пришлёт');
  if (r.correction) {
    const c = r.correction;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(c.baseDate) || Number.isNaN(Date.parse(`${c.baseDate}T00:00:00Z`)))
      bad('receipt.correction_invalid', 'Чек коррекции: дата документа-основания (1178) не читается');
    if (c.type === 'instruction' && !c.baseNumber.trim())
      bad('receipt.correction_invalid', 'Чек коррекции по предписанию: нужен номер предписания (1179)');
    if (c.baseNumber.length > 32) bad('receipt.correction_invalid', 'Чек коррекции: номер документа-основания длиннее 32 символов');
  }
  r.items.forEach((item, i) => {
    const n = i + 1;
    if (!item.name.trim() || item.name.length > NAME_MAX)
      bad('receipt.name_invalid', `Позиция ${n}: наименование пустое или длиннее ${NAME_MAX} символов`, i);
    if (
      !Number.isSafeInteger(item.priceKop) ||
      item.priceKop < 0 ||
      !Number.isSafeInteger(item.amountKop) ||
      item.amountKop <= 0 ||
      !(item.quantity > 0)
    ) {
      bad('receipt.bad_amount', `Позиция ${n}: цена, количество и сумма должны быть положительными`, i);
    } else if (itemAmount(item.priceKop, item.quantity) !== item.amountKop) {
      bad('receipt.item_amount_mismatch', `Позиция ${n}: сумма не равна цене × количеству`, i);
    }
    if (item.paymentObject === 'agent_commission' && (item.agent || item.supplier)) {
      bad('receipt.commission_with_supplier', `Позиция ${n}: вознаграждение агента — его собственный доход, без данных поставщика`, i);
    }
    if (item.agent) {
      if (!item.supplier) bad('receipt.agent_without_supplier', `Позиция ${n}: у агентской позиции нет поставщика`, i);
      else if (!isReceiptSupplierInn(item.supplier.inn))
        bad('receipt.supplier_inn_invalid', `Позиция ${n}: неверный ИНН поставщика «${item.supplier.inn}»`, i);
      else if (!item.supplier.name.trim()) bad('receipt.agent_without_supplier', `Позиция ${n}: не указано наименование поставщика`, i);
      const a = item.agent;
      if (!a.operation.trim() || a.operation.length > OPERATION_MAX || !PHONE.test(a.agentPhone) || !PHONE.test(a.operatorPhone)) {
        bad(
          'receipt.agent_data_invalid',
          `Позиция ${n}: данные агента неполны (операция до ${OPERATION_MAX} символов, телефоны в формате +7…)`,
          i,
        );
      }
      if (item.supplier?.phone !== undefined && !PHONE.test(item.supplier.phone)) {
        bad('receipt.agent_data_invalid', `Позиция ${n}: телефон поставщика не в формате +7…`, i);
      }
    }
  });
  const itemsTotal = r.items.reduce((s, i) => s + (Number.isSafeInteger(i.amountKop) ? i.amountKop : 0), 0);
  if (itemsTotal !== r.totalKop)
    bad('receipt.total_mismatch', `Сумма позиций ${formatRub(itemsTotal)} не равна итогу ${formatRub(r.totalKop)}`);
  const { cashKop, cardKop } = r.payments;
  if (cashKop < 0 || cardKop < 0 || cashKop + cardKop !== r.totalKop) {
    bad('receipt.payments_mismatch', 'Сумма оплат (наличные + карта) не равна итогу чека');
  }
  if (r.cashTenderedKop !== undefined && r.cashTenderedKop < cashKop) {
    bad('receipt.payments_mismatch', 'Получено наличными меньше, чем оплачено наличными');
  }
  return problems;
}

/** The ФНС QR string printed on a receipt (tag 1196): t, s, fn, i, fp, n. */
export function fnsQrString(p: {
  at: Date;
  totalKop: Kop;
  fnNumber: string;
  documentNumber: number;
  fiscalSign: string;
  kind: ReceiptKind;
  timeZoneOffsetMinutes?: number;
}): string {
  const local = new Date(p.at.getTime() + (p.timeZoneOffsetMinutes ?? 180) * 60_000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const t = `${local.getUTCFullYear()}${pad(local.getUTCMonth() + 1)}${pad(local.getUTCDate())}T${pad(local.getUTCHours())}${pad(local.getUTCMinutes())}`;
  const s = `${Math.floor(p.totalKop / 100)}.${String(p.totalKop % 100).padStart(2, '0')}`;
  return `t=${t}&s=${s}&fn=${p.fnNumber}&i=${p.documentNumber}&fp=${p.fiscalSign}&n=${p.kind === 'sale' ? 1 : 2}`;
}
